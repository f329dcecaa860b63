package server

import (
	"net/http"

	"golang.org/x/text/language"
)

// studioLangs are the studio's languages, the first the default.
var studioLangs = []language.Tag{language.English, language.French}

var langMatcher = language.NewMatcher(studioLangs)

// studioLang picks en or fr from the browser's Accept-Language.
func studioLang(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := langMatcher.Match(tags...)
	if i == 1 {
		return "fr"
	}
	return "en"
}

// studioText holds the studio's strings, per language.
var studioText = map[string]map[string]string{
	"en": {
		"title": "Plume studio", "library": "Library", "new": "New article", "topic": "Topic", "lang": "Article language",
		"auto": "detect", "words": "Length (words)", "keywords": "Keywords (comma-separated)", "tone": "Tone",
		"audience": "Audience", "notes": "Your notes and key points", "review": "Let me review the outline before drafting",
		"start": "Write", "status": "Status", "updated": "Updated", "none": "No articles yet.",
		"outline": "Outline", "heading": "Heading", "points": "Key points (one per line)", "order": "Order",
		"remove": "Remove", "add": "Add a section", "intro": "Introduction points (one per line)",
		"draft": "Start drafting", "live": "Drafting", "waiting": "Waiting for the model…", "cancel": "Cancel",
		"resume": "Resume", "delete": "Delete", "export": "Export", "quality": "Quality report",
		"failing": "failing rules", "confidence": "Confidence", "legend": "Shading: the model's mean token probability per sentence",
		"provenance": "Provenance", "model": "Model", "license": "Licence", "seed": "Seed", "prompts": "Prompts and calls",
		"ai": "AI-generated text (digitalSourceType: trainedAlgorithmicMedia)", "open": "Open", "article_title": "Title",
		"login": "Sign in", "key": "API key", "login_failed": "Wrong key.",
	},
	"fr": {
		"title": "Atelier Plume", "library": "Bibliothèque", "new": "Nouvel article", "topic": "Sujet", "lang": "Langue de l'article",
		"auto": "détecter", "words": "Longueur (mots)", "keywords": "Mots-clés (séparés par des virgules)", "tone": "Ton",
		"audience": "Public", "notes": "Vos notes et points clés", "review": "Relire le plan avant la rédaction",
		"start": "Écrire", "status": "État", "updated": "Mis à jour", "none": "Aucun article pour l'instant.",
		"outline": "Plan", "heading": "Titre", "points": "Points clés (un par ligne)", "order": "Ordre",
		"remove": "Supprimer", "add": "Ajouter une section", "intro": "Points de l'introduction (un par ligne)",
		"draft": "Lancer la rédaction", "live": "Rédaction", "waiting": "En attente du modèle…", "cancel": "Annuler",
		"resume": "Reprendre", "delete": "Supprimer", "export": "Exporter", "quality": "Rapport de qualité",
		"failing": "règles en échec", "confidence": "Confiance", "legend": "Ombrage : probabilité moyenne des jetons par phrase",
		"provenance": "Provenance", "model": "Modèle", "license": "Licence", "seed": "Graine", "prompts": "Prompts et appels",
		"ai": "Texte généré par IA (digitalSourceType : trainedAlgorithmicMedia)", "open": "Ouvrir", "article_title": "Titre",
		"login": "Se connecter", "key": "Clé d'API", "login_failed": "Clé incorrecte.",
	},
}
