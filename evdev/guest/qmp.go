package guest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sync"
)

// qmp is a QEMU Machine Protocol client: JSON objects, one per line. A
// reader goroutine routes replies (matched by "id") to their callers and
// keeps every asynchronous event.
type qmp struct {
	conn net.Conn
	wmu  sync.Mutex

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan qmpReply
	events  []Event
	changed chan struct{} // closed and replaced when events grows or the connection ends
	err     error         // set when the connection ends
}

type qmpReply struct {
	Return json.RawMessage `json:"return"`
	Error  *struct {
		Class string `json:"class"`
		Desc  string `json:"desc"`
	} `json:"error"`
	ID    *int            `json:"id"`
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
}

// Event is an asynchronous QMP event (DEVICE_DELETED, ...).
type Event struct {
	Name string
	Data json.RawMessage
}

func newQMP(ctx context.Context, conn net.Conn) (*qmp, error) {
	q := &qmp{conn: conn, waiting: map[int]chan qmpReply{}, changed: make(chan struct{})}
	r := bufio.NewReader(conn)
	if _, err := r.ReadBytes('\n'); err != nil { // greeting
		return nil, fmt.Errorf("guest: qmp greeting: %w", err)
	}
	go q.read(r)
	if _, err := q.Execute(ctx, "qmp_capabilities", nil); err != nil {
		return nil, err
	}
	return q, nil
}

func (q *qmp) read(r *bufio.Reader) {
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			q.mu.Lock()
			q.err = fmt.Errorf("guest: qmp connection: %w", err)
			for id, ch := range q.waiting {
				close(ch)
				delete(q.waiting, id)
			}
			close(q.changed)
			q.mu.Unlock()
			return
		}
		var rep qmpReply
		if json.Unmarshal(line, &rep) != nil {
			continue
		}
		q.mu.Lock()
		switch {
		case rep.Event != "":
			q.events = append(q.events, Event{rep.Event, rep.Data})
			close(q.changed)
			q.changed = make(chan struct{})
		case rep.ID != nil:
			if ch, ok := q.waiting[*rep.ID]; ok {
				ch <- rep
				delete(q.waiting, *rep.ID)
			}
		}
		q.mu.Unlock()
	}
}

// Execute runs one QMP command and returns its "return" value.
func (q *qmp) Execute(ctx context.Context, command string, args any) (json.RawMessage, error) {
	q.mu.Lock()
	if q.err != nil {
		q.mu.Unlock()
		return nil, q.err
	}
	q.nextID++
	id := q.nextID
	ch := make(chan qmpReply, 1)
	q.waiting[id] = ch
	q.mu.Unlock()

	msg := map[string]any{"execute": command, "id": id}
	if args != nil {
		msg["arguments"] = args
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("guest: qmp %s: %w", command, err)
	}
	q.wmu.Lock()
	_, err = q.conn.Write(append(b, '\n'))
	q.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("guest: qmp %s: %w", command, err)
	}
	select {
	case rep, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("guest: qmp %s: connection closed", command)
		}
		if rep.Error != nil {
			return nil, fmt.Errorf("guest: qmp %s: %s: %s", command, rep.Error.Class, rep.Error.Desc)
		}
		return rep.Return, nil
	case <-ctx.Done():
		q.mu.Lock()
		delete(q.waiting, id)
		q.mu.Unlock()
		return nil, fmt.Errorf("guest: qmp %s: %w", command, ctx.Err())
	}
}

// eventCount returns how many events have arrived so far.
func (q *qmp) eventCount() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.events)
}

// waitEvent returns the first event at index >= from named name for which
// match (if not nil) is true.
func (q *qmp) waitEvent(ctx context.Context, from int, name string, match func(json.RawMessage) bool) (Event, error) {
	for {
		q.mu.Lock()
		for i := from; i < len(q.events); i++ {
			if e := q.events[i]; e.Name == name && (match == nil || match(e.Data)) {
				q.mu.Unlock()
				return e, nil
			}
		}
		from = len(q.events)
		changed, err := q.changed, q.err
		q.mu.Unlock()
		if err != nil {
			return Event{}, err
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Event{}, fmt.Errorf("guest: wait for qmp event %s: %w", name, ctx.Err())
		}
	}
}
