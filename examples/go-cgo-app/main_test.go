package main

import (
	"regexp"
	"testing"
)

func TestLibcVersionLooksLikeAVersion(t *testing.T) {
	if !regexp.MustCompile(`^\d+\.\d+`).MatchString(libcVersion()) {
		t.Fatalf("libcVersion() = %q, want something like 2.41", libcVersion())
	}
}
