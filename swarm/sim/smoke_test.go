package sim

import (
	"strings"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	w := newWorld(t, 1)
	w.deploy(nil, spec("app", label("v", "1"), health(2*time.Second, 2, 0), update(startFirst)))
	w.untilRunning(app, 1, time.Minute)
	w.deploy(nil, spec("app", label("v", "2"), env("X=2"), health(2*time.Second, 2, 0), update(startFirst)))
	w.sleep(30 * time.Second)
	t.Log("\n" + strings.Join(w.log, "\n"))
	svc := w.service(app)
	t.Logf("%+v", svc.UpdateStatus)
}
