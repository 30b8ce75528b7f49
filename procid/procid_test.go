package procid

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// child starts `sleep 60` and returns its ID; stop ends it.
func child(t *testing.T) (id ID, cmd *exec.Cmd) {
	t.Helper()
	cmd = exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	id, err := Of(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return id, cmd
}

// exited is the ID of a child that has exited and been reaped.
func exited(t *testing.T) ID {
	id, cmd := child(t)
	cmd.Process.Kill()
	cmd.Wait()
	return id
}

// unreaped is the ID of a child that has exited and not been reaped.
func unreaped(t *testing.T) ID {
	id, cmd := child(t)
	cmd.Process.Kill()
	for deadline := time.Now().Add(10 * time.Second); !zombie(id.PID); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d is not a zombie after being killed", id.PID)
		}
	}
	return id
}

// TestCheck: what Check says of this process, of its children alive, dead
// or unreaped, of a pid reused by a later process, and of IDs recorded
// elsewhere.
func TestCheck(t *testing.T) {
	me := Self()
	if me.PID != os.Getpid() || me.Host == "" || strings.Count(me.Start, "/") != 2 {
		t.Fatalf("Self() = %+v, want this pid, a host name and a start mark <boot>/<pidns>/<ticks>", me)
	}
	with := func(f func(*ID)) ID { id := me; f(&id); return id }
	live, _ := child(t)
	tests := []struct {
		name string
		id   ID
		want State
		why  string
	}{
		{"this process", me, Running, "is still running"},
		{"a running child", live, Running, "is still running"},
		{"a child that exited", exited(t), Gone, "has exited"},
		{"a child not yet reaped", unreaped(t), Gone, "has exited (its parent has not reaped it yet)"},
		{"this pid, started at another time", with(func(id *ID) { id.Start = id.place() + "/1" }),
			Gone, "has exited (its pid now names a later process)"},
		{"another host", with(func(id *ID) { id.Host = "elsewhere" }), Unknown, "ran on another host"},
		{"this host name, another boot", with(func(id *ID) { id.Start = "other-boot/" + id.Start[strings.IndexByte(id.Start, '/')+1:] }),
			Unknown, "ran on this host name under another boot or pid namespace (a reboot, another machine or another container)"},
		{"no start mark, pid alive", with(func(id *ID) { id.Start = "" }), Unknown,
			"ran on this host name under another boot or pid namespace (a reboot, another machine or another container)"},
		{"no pid", with(func(id *ID) { id.PID = 0 }), Unknown, "has no valid pid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Check(tt.id)
			if got != tt.want || why != tt.why {
				t.Errorf("Check(%+v) = %d %q, want %d %q", tt.id, got, why, tt.want, tt.why)
			}
		})
	}
}

// TestOfRefusesAnExitedProcess: Of names only a running process.
func TestOfRefusesAnExitedProcess(t *testing.T) {
	id := exited(t)
	if _, err := Of(id.PID); err == nil || err.Error() != fmt.Sprintf("process %d: not running", id.PID) {
		t.Errorf("Of(exited pid %d) = %v, want not running", id.PID, err)
	}
}
