package hugepage

// Size is one transparent huge page: the smallest buffer Advise advises,
// and the smallest file the engine copies into huge pages.
const Size = 2 << 20
