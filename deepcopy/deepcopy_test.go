package deepcopy

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type inner struct {
	Names []string
	Count *int
}

type sample struct {
	Name    string
	Labels  map[string]string `json:",omitempty"`
	Empty   []string          `json:",omitempty"`
	Kept    []string
	Nil     []string
	Skipped string `json:"-"`
	Dash    string `json:"-,"`
	Zero    inner  `json:",omitzero"`
	Inner   *inner
	Inners  []inner
	Bytes   []byte
	Array   [2]*int
	When    time.Time
	Wait    time.Duration `json:",omitempty"`
	hidden  string
	inner
}

// TestOfIsAJSONRoundTrip checks each rule against encoding/json itself.
func TestOfIsAJSONRoundTrip(t *testing.T) {
	one, two := 1, 2
	tests := []struct {
		name string
		in   sample
	}{
		{"zero", sample{}},
		{"full", sample{
			Name: "app", Labels: map[string]string{"a": "b"}, Empty: []string{}, Kept: []string{},
			Skipped: "x", Dash: "y", Zero: inner{Names: []string{"z"}}, Inner: &inner{Count: &one},
			Inners: []inner{{Names: []string{"n"}}}, Bytes: []byte("raw"), Array: [2]*int{&two, nil},
			When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Wait: time.Second, hidden: "h",
			inner: inner{Names: []string{"promoted"}},
		}},
		{"empty omitted", sample{Labels: map[string]string{}, Empty: []string{}, Zero: inner{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want sample
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			got := Of(tt.in)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Of = %+v\nJSON round trip = %+v", got, want)
			}
		})
	}
}

// TestOfSharesNothing checks that changing the copy leaves the original.
func TestOfSharesNothing(t *testing.T) {
	n := 1
	in := sample{Labels: map[string]string{"a": "b"}, Kept: []string{"k"}, Inner: &inner{Count: &n},
		Inners: []inner{{Names: []string{"x"}}}, Bytes: []byte("b"), Array: [2]*int{&n}}
	c := Of(in)
	c.Labels["a"] = "changed"
	c.Kept[0] = "changed"
	*c.Inner.Count = 9
	c.Inners[0].Names[0] = "changed"
	c.Bytes[0] = 'X'
	*c.Array[0] = 7
	if in.Labels["a"] != "b" || in.Kept[0] != "k" || n != 1 || in.Inners[0].Names[0] != "x" || string(in.Bytes) != "b" {
		t.Errorf("original changed through the copy: %+v", in)
	}
}

func BenchmarkOf(b *testing.B) {
	n := 1
	in := sample{Name: "app", Labels: map[string]string{"a": "b", "c": "d"}, Kept: []string{"k"},
		Inner: &inner{Count: &n}, Inners: []inner{{Names: []string{"x"}}}}
	for b.Loop() {
		Of(in)
	}
}
