package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRootNamesTheApp(t *testing.T) {
	recorder := httptest.NewRecorder()
	newHandler().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/", nil))
	if recorder.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", recorder.Code)
	}
	var body info
	if err := json.Unmarshal(recorder.Body.Bytes(), &body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if body.App != appName {
		t.Errorf("app = %q, want %q", body.App, appName)
	}
}

func TestRootEchoesTheNonce(t *testing.T) {
	recorder := httptest.NewRecorder()
	newHandler().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/?nonce=3f9a1c", nil))
	if !strings.Contains(recorder.Body.String(), `"nonce":"3f9a1c"`) {
		t.Fatalf("body = %q, want it to contain \"nonce\":\"3f9a1c\"", recorder.Body.String())
	}
}

func TestRootLeavesOutAnAbsentNonce(t *testing.T) {
	recorder := httptest.NewRecorder()
	newHandler().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/", nil))
	if strings.Contains(recorder.Body.String(), "nonce") {
		t.Fatalf("body = %q, want no nonce", recorder.Body.String())
	}
}

func TestHealthzAnswersOk(t *testing.T) {
	recorder := httptest.NewRecorder()
	newHandler().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if recorder.Code != http.StatusOK || strings.TrimSpace(recorder.Body.String()) != "ok" {
		t.Fatalf("got %d %q, want 200 ok", recorder.Code, recorder.Body.String())
	}
}

func TestUnknownPathIsNotFound(t *testing.T) {
	recorder := httptest.NewRecorder()
	newHandler().ServeHTTP(recorder, httptest.NewRequest(http.MethodGet, "/nope", nil))
	if recorder.Code != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", recorder.Code)
	}
}
