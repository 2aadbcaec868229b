package flow

import "context"

// Close ends the provider's lifetime. Metadata and key fetches in flight
// are cancelled and their waiting callers get ErrClosed at once; every later
// call that needs the provider fails with ErrClosed without touching the
// network. So nothing the provider started outlives the configuration that
// built it; the connections kept open to the provider are closed too (one
// still used by a request in flight ends by the transport's 90 s idle
// timeout). Close is idempotent and safe while other calls run.
func (p *Provider) Close() error {
	p.stop()
	if p.transport != nil {
		p.transport.CloseIdleConnections()
	}
	return nil
}

// closedErr is ErrClosed once Close has been called, else nil.
func (p *Provider) closedErr() error {
	if p.life.Err() == nil {
		return nil
	}
	return p.newError(ErrClosed, nil, "closed: the configuration that used it was unloaded")
}

// fetchContext bounds one shared fetch: httpTimeout, and the provider's
// lifetime rather than any one caller's request.
func (p *Provider) fetchContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.life, httpTimeout)
}
