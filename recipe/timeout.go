package recipe

import (
	"fmt"
	"strconv"
	"time"
)

// Timeout is how long abra waits for the deploy to converge: the app
// service's coop-cloud.<stack>.timeout label in seconds (recipes set it
// from TIMEOUT, e.g. ${TIMEOUT:-300}) [V for the source; [D] for
// GetTimeoutFromLabel]. ok is false when the label is absent; abra's
// fallback then is unresolved (50 s in old docs, 300 s claimed by cc-ci).
func (d *Deploy) Timeout() (timeout time.Duration, ok bool, err error) {
	spec, found := d.Stack.Services[d.Stack.Namespace+"_"+AppService]
	if !found {
		return 0, false, nil
	}
	v, found := spec.Labels[LabelKey(d.Stack.Namespace, "timeout")]
	if !found || v == "" {
		return 0, false, nil
	}
	secs, err := strconv.Atoi(v)
	if err != nil || secs < 0 {
		return 0, false, fmt.Errorf("label %s=%s: want a number of seconds", echoRaw(LabelKey(d.Stack.Namespace, "timeout")), echo(v))
	}
	return time.Duration(secs) * time.Second, true, nil
}
