package builtins

import (
	"math"
	"math/big"
	"testing"

	"go.starlark.net/starlark"

	"github.com/coop-cloud/chaosrun/cut"
	"github.com/coop-cloud/chaosrun/internal/fuzzcheck"
)

// argBounds: an argument error is one line, its echo cut.
var argBounds = fuzzcheck.Bounds{Lines: 1, LineBytes: 2 * cut.LineLimit}

// FuzzDurationAndSize: any string or number given as a duration or a size
// is accepted as a value that is not negative (an overflow once wrapped to
// one) or refused in one line.
func FuzzDurationAndSize(f *testing.F) {
	for _, seed := range []struct {
		s string
		x float64
	}{
		{"5s", 5}, {"1h30m", 0.5}, {"512MiB", 1 << 20}, {"1.5GiB", 0},
		{"2562047h47m16.854775807s", 1e300}, {"InfGiB", math.Inf(1)}, {"NaNGiB", math.NaN()},
		{"1e30GiB", -1}, {"9223372036854775807", 9223372036854775807}, {"-5s", math.Inf(-1)},
		{"0B", 0}, {"8EiB", 9.2e18},
	} {
		f.Add(seed.s, seed.x)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		vals := []starlark.Value{starlark.String(s), starlark.Float(x)}
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			vals = append(vals, starlark.MakeInt64(int64(math.Trunc(max(min(x, 9e18), -9e18)))))
		}
		if n, ok := new(big.Int).SetString(s, 10); ok { // a number beyond int64
			vals = append(vals, starlark.MakeBigInt(n))
		}
		for _, v := range vals {
			var d Duration
			if err := d.Unpack(v); err != nil {
				fuzzcheck.Message(t, s, err.Error(), argBounds)
			} else if d < 0 {
				t.Fatalf("duration %s accepted as %d", v, d)
			}
			var z Size
			if err := z.Unpack(v); err != nil {
				fuzzcheck.Message(t, s, err.Error(), argBounds)
			} else if z < 0 {
				t.Fatalf("size %s accepted as %d", v, z)
			}
		}
	})
}
