package admin

// diagnose is p2p_diagnose: the server's Diagnosis, which says itself when
// the node is not running.
func diagnose(x *exchange, _ []string) (any, error) {
	return x.api.srv.Diagnose(), nil
}
