// Command stagelab-go-cgo-app calls into the C library through cgo.
//
// It exists to show a classic failure: a binary built with cgo is linked
// dynamically against glibc, so on `scratch` or distroless `static` (which have
// no libc) it fails with the puzzling "exec /app: no such file or directory".
// It runs on distroless `base` (or `cc`), which ship glibc.
package main

/*
#include <gnu/libc-version.h>
*/
import "C"

import (
	"fmt"
	"runtime"
)

// libcVersion asks the C library that the binary was loaded with for its version.
func libcVersion() string {
	return C.GoString(C.gnu_get_libc_version())
}

func main() {
	fmt.Printf("stagelab-go-cgo-app (%s) running on glibc %s\n", runtime.Version(), libcVersion())
}
