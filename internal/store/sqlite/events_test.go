package sqlite

import (
	"testing"

	"github.com/rootward/rootward/internal/store/storetest"
)

func TestEventLogConformance(t *testing.T) {
	storetest.RunEvents(t, openTemp)
}
