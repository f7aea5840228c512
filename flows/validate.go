package flows

// Validate reports every mistake in f, each with its file and line, in
// plain words: missing id, name, version, trigger or steps; an id that is
// not lowercase letters, digits and '-'; event types that are not
// canonical (trigger, exit_on, wait); bad reentry, until or zone; CEL that
// does not compile or gives the wrong type (conditions must be true or
// false, key a string); a send without template or with a channel other
// than email or sms or a category other than marketing or transactional; a
// split without paths or with a weight below 1; a step after an exit in the
// same list; a step id used twice; a discount without percent or amount; a
// webhook without an http(s) url. Parse runs it; a flow built in Go gets
// its steps' Line as lines (0 when unset) and its Source as file.
func Validate(f *Flow) []Error {
	_, errs := check(f)
	return errs
}
