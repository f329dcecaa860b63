package writer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/plumewriter/plume/internal/jsonschema"
)

// cutWordsError is a validation error of an answer whose strings were cut
// back to whole words at their length limit (trimCutWords): the repair
// prompt says so, since the model's own text was valid.
type cutWordsError struct {
	err error
	cut []string // the JSON paths cut
}

func (e *cutWordsError) Error() string {
	return fmt.Sprintf("%v (after cutting %s back to whole words at the length limit)", e.err, strings.Join(e.cut, ", "))
}

func (e *cutWordsError) Unwrap() error { return e.err }

// repairProblem says in the article's language what was wrong with a
// structured answer, for the repair prompt. English quotes the error
// itself; French renders the validator's typed errors in French and falls
// back to a French sentence, so that no English reaches a French prompt
// (issue 18 item 5).
func repairProblem(lang string, err error) string {
	if lang != "fr" {
		return err.Error()
	}
	var msg string
	var ve *jsonschema.ValidationError
	switch {
	case errors.As(err, &ve):
		msg = frenchViolation(ve)
	case errors.Is(err, errBlank):
		msg = "un texte ne contient que des espaces là où un contenu est demandé"
	default:
		msg = "la réponse ne suit pas le schéma JSON demandé"
	}
	var ce *cutWordsError
	if errors.As(err, &ce) {
		msg += fmt.Sprintf(" (après avoir coupé %s au dernier mot entier, à la limite de longueur)", strings.Join(ce.cut, ", "))
	}
	return msg
}

// frenchViolation is a jsonschema.ValidationError in French.
func frenchViolation(e *jsonschema.ValidationError) string {
	switch e.Kind {
	case jsonschema.ViolationInvalidJSON:
		return "ce n'est pas un JSON valide"
	case jsonschema.ViolationType:
		return fmt.Sprintf("%s : le type de la valeur n'est pas celui demandé", e.Path)
	case jsonschema.ViolationEnum:
		return fmt.Sprintf("%s : valeur hors de la liste permise", e.Path)
	case jsonschema.ViolationRequired:
		return fmt.Sprintf("%s : il manque la propriété obligatoire « %s »", e.Path, e.Name)
	case jsonschema.ViolationUnexpected:
		return fmt.Sprintf("%s : propriété « %s » non prévue", e.Path, e.Name)
	case jsonschema.ViolationMinLength:
		return fmt.Sprintf("%s : %d caractères, il en faut au moins %d", e.Path, e.Got, e.Limit)
	case jsonschema.ViolationMaxLength:
		return fmt.Sprintf("%s : %d caractères, il en faut au plus %d", e.Path, e.Got, e.Limit)
	case jsonschema.ViolationMinItems:
		return fmt.Sprintf("%s : %d éléments, il en faut au moins %d", e.Path, e.Got, e.Limit)
	case jsonschema.ViolationMaxItems:
		return fmt.Sprintf("%s : %d éléments, il en faut au plus %d", e.Path, e.Got, e.Limit)
	}
	return fmt.Sprintf("%s : la valeur ne suit pas le schéma demandé", e.Path)
}
