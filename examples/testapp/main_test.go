package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfig(t *testing.T) {
	c, err := loadConfig(env(map[string]string{"FAIL_HEALTH": "1", "CRASH_AFTER": "5s", "CRASH_EXIT": "3",
		"START_DELAY": "1s", "HOLD_MIB": "64", "FAIL_HEALTH_AFTER": "2s", "PORT": "9000", "CRASH_AFTER_HEALTHY": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := config{port: "9000", failHealth: true, failAfter: 2 * time.Second, startDelay: time.Second,
		crashAfter: 5 * time.Second, crashFromHealthy: true, crashExit: 3, termExit: 2, holdMiB: 64, version: "dev"}
	if c != want {
		t.Errorf("loadConfig = %+v, want %+v", c, want)
	}
	for _, bad := range []map[string]string{{"CRASH_AFTER": "5"}, {"HOLD_MIB": "-1"}, {"CRASH_EXIT": "x"}} {
		if _, err := loadConfig(env(bad)); err == nil {
			t.Errorf("loadConfig(%v) accepted", bad)
		}
	}
}

func TestHealth(t *testing.T) {
	for _, c := range []struct {
		cfg  config
		want int
	}{
		{config{}, http.StatusOK},
		{config{failHealth: true}, http.StatusServiceUnavailable},
		{config{failAfter: time.Hour}, http.StatusOK},
	} {
		rec := httptest.NewRecorder()
		handler(c.cfg, time.Now().Add(-time.Second), make(chan struct{})).ServeHTTP(rec, httptest.NewRequest("GET", "/health", nil))
		if rec.Code != c.want {
			t.Errorf("%+v: /health = %d, want %d", c.cfg, rec.Code, c.want)
		}
	}
	// FAIL_HEALTH_AFTER counts from the first healthy answer.
	healthy := make(chan struct{})
	h := handler(config{failAfter: 20 * time.Millisecond}, time.Now().Add(-time.Hour), healthy)
	for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusServiceUnavailable} {
		if i == 2 {
			time.Sleep(30 * time.Millisecond)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/health", nil))
		if rec.Code != want {
			t.Errorf("FAIL_HEALTH_AFTER probe %d: %d, want %d", i, rec.Code, want)
		}
	}
	select {
	case <-healthy:
	default:
		t.Error("the first healthy answer did not close healthy")
	}
}
