package admin

// diagnose is p2p_diagnose.
//
// TODO(admin): return srv.Diagnose() once p2p.Diagnosis is in the root
// package; until then the method answers that it is not available.
func diagnose(x *exchange, _ []string) (any, error) {
	if x.api.srv.LocalNode() == nil {
		return nil, errNotRunning
	}
	return nil, errorf(CodeServerError, "p2p_diagnose is not available in this build")
}
