package testutil

import "sync"

// AtOnce runs fn(0) … fn(n-1) in n goroutines released together, so that they race for the same
// limit or row, and returns their errors by index.
func AtOnce(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}
