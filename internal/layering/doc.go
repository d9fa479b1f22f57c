// Package layering holds only a test: it keeps Rootward's dependencies pointing one way, on
// transitive dependencies (go list -deps). Domain packages know nothing of the HTTP layer, the
// console or a particular database, and are themselves ordered in layers (the policy engine below
// IAM, IAM below Organizations and the root-user flows); only cmd/rootward wires the concrete
// stores in. Each forbidden dependency carries its reason, and a rule naming a package that no
// longer exists fails, so the rules cannot silently go stale.
package layering
