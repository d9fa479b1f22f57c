package eventbridge

import "sync"

// FIFO targets. A target with a message group (SqsParameters.MessageGroupId: an SNS FIFO topic)
// receives its rule's matches one at a time, in the order the bus matched them — the order of the
// trail's commits, and of PutEvents' entries — and a failed delivery is retried before the next
// event is tried, so that the topic numbers the events in their order. Each (account, rule,
// target) has a lane: a queue and, while it holds events, one goroutine draining it. The other
// targets' deliveries run in parallel and their retries overtake later events, as before.

// maxLane bounds the events waiting in one lane; past it new events for that target are dropped
// (logged, recorded as dropped), as the bus drops events past its own queue's bound.
const maxLane = 10_000

type lane struct {
	queue []job // guarded by fifoLanes.mu
}

type fifoLanes struct {
	mu    sync.Mutex
	lanes map[string]*lane // guarded by mu: a lane exists while its goroutine runs
}

// ordered queues j in its target's lane, starting the lane's goroutine when it is idle.
func (b *bus) ordered(j job) {
	key := j.account + "\x00" + j.rule + "\x00" + j.target.ID
	f := &b.fifo
	f.mu.Lock()
	if f.lanes == nil {
		f.lanes = map[string]*lane{}
	}
	l := f.lanes[key]
	if l != nil && len(l.queue) >= maxLane {
		f.mu.Unlock()
		b.s.log.Error("eventbridge: FIFO target's queue full, event dropped", "account", j.account, "rule", j.rule, "target", j.target.ID, "event", j.eventID)
		b.s.record(b.ctx, Delivery{Time: b.s.now().UTC(), Account: j.account, EventID: j.eventID, Rule: j.rule, TargetID: j.target.ID,
			TargetARN: j.target.ARN, Attempt: 0, Outcome: OutcomeDropped, Error: "the FIFO target's queue is full"})
		return
	}
	if l != nil {
		l.queue = append(l.queue, j)
		f.mu.Unlock()
		return
	}
	l = &lane{queue: []job{j}}
	f.lanes[key] = l
	b.wg.Add(1)
	f.mu.Unlock()
	go b.drain(key, l)
}

// drain delivers a lane's events in order, each until delivered or dropped, then ends when the
// lane is empty (or the bus stops: the lane's events are dropped, as the bus's queue's are).
func (b *bus) drain(key string, l *lane) {
	defer b.wg.Done()
	f := &b.fifo
	for {
		f.mu.Lock()
		if len(l.queue) == 0 || b.ctx.Err() != nil {
			delete(f.lanes, key)
			f.mu.Unlock()
			return
		}
		j := l.queue[0]
		l.queue = l.queue[1:]
		f.mu.Unlock()
		for b.attempt(j, true) {
			select {
			case <-b.s.after(b.s.retry.wait(j.attempt)):
			case <-b.ctx.Done():
				f.mu.Lock()
				delete(f.lanes, key)
				f.mu.Unlock()
				return
			}
			j.attempt++
		}
	}
}
