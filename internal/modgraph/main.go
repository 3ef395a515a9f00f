// Command modgraph is a program that imports github.com/seednet/p2p and
// nothing else, as a user of the library would. Its module's test lists
// the module graph such a user gets and fails if a module outside the
// library's own requirements appears in it: the tools of this repository
// (cmd/p2pnode, with its config file, and later metrics and browser tests)
// must not drag their dependencies into the graph of every importer.
package main

import (
	"fmt"

	"github.com/seednet/p2p"
)

func main() {
	fmt.Println(p2p.DefaultName)
}
