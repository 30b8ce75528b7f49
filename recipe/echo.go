package recipe

import "github.com/coop-cloud/chaosrun/cut"

// echo quotes input that an error message echoes, cut (package cut).
func echo(s string) string { return cut.Quote(s) }

// echoRaw is echo without the quotes, for text that the message shows as
// written, such as ${NAME}.
func echoRaw(s string) string { return cut.Raw(s) }
