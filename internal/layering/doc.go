// Package layering holds only a test: it keeps Rootward's dependencies pointing one way. Domain packages know nothing of the HTTP layer, the console or a particular database;
// only cmd/rootward wires the concrete stores in.
package layering
