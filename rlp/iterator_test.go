package rlp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestIterator(t *testing.T) {
	type step struct {
		value  string // hex; "" for the error step
		offset int
		count  int // Count after the step
	}
	tests := []struct {
		name    string
		input   string
		steps   []step
		wantErr error
	}{
		{name: "empty list", input: "C0"},
		{
			name:  "values",
			input: "C6 01 8180 C20102",
			steps: []step{{"01", 1, 2}, {"8180", 2, 1}, {"c20102", 4, 0}},
		},
		{
			name:  "long list header",
			input: "F83C" + strings.Repeat("83616263", 15),
			steps: func() []step {
				var s []step
				for i := range 15 {
					s = append(s, step{"83616263", 2 + 4*i, 14 - i})
				}
				return s
			}(),
		},
		{
			name:    "bad second value",
			input:   "C3 01 8100",
			steps:   []step{{"01", 1, 1}, {"", 0, 0}},
			wantErr: ErrCanonSize,
		},
		{
			name:    "value past the end",
			input:   "C3 01 8301",
			steps:   []step{{"01", 1, 1}, {"", 0, 0}},
			wantErr: ErrElemTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, err := NewListIterator(unhex(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if c := it.Count(); c != len(tt.steps) {
				t.Fatalf("Count before the first step: %d, want %d", c, len(tt.steps))
			}
			for i, want := range tt.steps {
				if !it.Next() {
					t.Fatalf("step %d: Next returned false (err %v)", i, it.Err())
				}
				if want.value == "" {
					if it.Value() != nil || !errors.Is(it.Err(), tt.wantErr) {
						t.Fatalf("step %d: value %x, error %v; want error %v", i, it.Value(), it.Err(), tt.wantErr)
					}
					continue
				}
				if got := fmt.Sprintf("%x", it.Value()); got != want.value || it.Err() != nil {
					t.Fatalf("step %d: value %s, err %v; want %s", i, got, it.Err(), want.value)
				}
				if it.Offset() != want.offset || it.Count() != want.count {
					t.Fatalf("step %d: offset %d, count %d; want %d, %d", i, it.Offset(), it.Count(), want.offset, want.count)
				}
			}
			if it.Next() || it.Next() {
				t.Fatal("Next returned true after the end")
			}
			if !errors.Is(it.Err(), tt.wantErr) || (tt.wantErr == nil && it.Err() != nil) {
				t.Fatalf("Err() = %v, want %v", it.Err(), tt.wantErr)
			}
		})
	}
}

func TestNewListIteratorErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  error
	}{
		{"string", "80", ErrExpectedList},
		{"byte", "01", ErrExpectedList},
		{"empty", "", nil},
		{"truncated", "C3 01", ErrValueTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewListIterator(unhex(tt.input))
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestIteratorZeroValue(t *testing.T) {
	var it Iterator
	if it.Next() || it.Value() != nil || it.Err() != nil || it.Count() != 0 {
		t.Fatal("zero Iterator is not empty")
	}
}
