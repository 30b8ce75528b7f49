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

// TestEqualIsDeepEqualOfCopies checks Equal(a, b) against
// reflect.DeepEqual(Of(a), Of(b)) on pairs that differ in what a JSON round
// trip drops and in what it keeps.
func TestEqualIsDeepEqualOfCopies(t *testing.T) {
	one, other := 1, 2
	base := func() sample {
		return sample{Name: "app", Labels: map[string]string{"a": "b"}, Kept: []string{"k"},
			Inner: &inner{Count: &one}, Inners: []inner{{Names: []string{"x"}}}, Wait: time.Second,
			When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), inner: inner{Names: []string{"p"}}}
	}
	tests := []struct {
		name   string
		change func(*sample)
	}{
		{"same", func(*sample) {}},
		{"hidden field", func(s *sample) { s.hidden = "x" }},
		{"skipped field", func(s *sample) { s.Skipped = "x" }},
		{"empty omitempty map", func(s *sample) { s.Labels = map[string]string{} }},
		{"nil omitempty map", func(s *sample) { s.Labels = nil }},
		{"label value", func(s *sample) { s.Labels = map[string]string{"a": "c"} }},
		{"empty omitempty slice", func(s *sample) { s.Empty = []string{} }},
		{"nil kept slice", func(s *sample) { s.Kept = nil }},
		{"empty kept slice", func(s *sample) { s.Kept = []string{} }},
		{"nil vs empty plain slice", func(s *sample) { s.Nil = []string{} }},
		{"pointer target", func(s *sample) { s.Inner = &inner{Count: &other} }},
		{"same pointer target, new pointer", func(s *sample) { n := 1; s.Inner = &inner{Count: &n} }},
		{"nil pointer", func(s *sample) { s.Inner = nil }},
		{"nested slice", func(s *sample) { s.Inners = []inner{{Names: []string{"y"}}} }},
		{"omitempty duration zero", func(s *sample) { s.Wait = 0 }},
		{"promoted field", func(s *sample) { s.inner.Names = []string{"q"} }},
		{"time, other zone", func(s *sample) { s.When = s.When.In(time.FixedZone("X", 3600)) }},
		{"omitzero struct", func(s *sample) { s.Zero = inner{Names: []string{"z"}} }},
		{"array", func(s *sample) { s.Array = [2]*int{&one, nil} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := base(), base()
			tt.change(&b)
			want := reflect.DeepEqual(Of(a), Of(b))
			if got := Equal(a, b); got != want {
				t.Errorf("Equal = %v, DeepEqual of copies = %v", got, want)
			}
			if got := Equal(&a, &b); got != want {
				t.Errorf("Equal of pointers = %v, DeepEqual of copies = %v", got, want)
			}
		})
	}
}
