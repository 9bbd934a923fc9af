// Package deploy_test checks the deployment files against the code they
// deploy: the Kubernetes probes hit the ops server's real paths on the port
// OPS_ADDR opens, the Dockerfile builds with .ci/build and sets the same
// OPS_ADDR, and the secrets the manifests and the systemd unit hand over are
// the ones the configuration reads.
package deploy_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/meet-invite/meet-invite/internal/bot"
	"github.com/meet-invite/meet-invite/internal/ops"
)

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"` // a number or a port name
	} `yaml:"httpGet"`
}

type container struct {
	Name  string `yaml:"name"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
}

type manifest struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		Replicas int `yaml:"replicas"`
		Template struct {
			Spec struct {
				Containers []container `yaml:"containers"`
				Volumes    []struct {
					Name   string `yaml:"name"`
					Secret struct {
						SecretName string `yaml:"secretName"`
					} `yaml:"secret"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

func readManifests(t *testing.T) map[string]manifest {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	require.NoError(t, err)
	out := map[string]manifest{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		for {
			var m manifest
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, f)
			if m.Kind != "" && m.Kind != "Kustomization" {
				out[m.Kind] = m
			}
		}
	}
	require.Contains(t, out, "Deployment")
	require.Contains(t, out, "Secret")
	return out
}

func (c container) env(name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// port resolves a probe's port (a number or a container port's name).
func (c container) port(t *testing.T, p any) int {
	t.Helper()
	switch v := p.(type) {
	case int:
		return v
	case string:
		for _, cp := range c.Ports {
			if cp.Name == v {
				return cp.ContainerPort
			}
		}
	}
	require.Failf(t, "unknown probe port", "%v", p)
	return 0
}

func opsPort(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	require.NoError(t, err, "OPS_ADDR %q", addr)
	n, err := strconv.Atoi(p)
	require.NoError(t, err)
	return n
}

// TestKubernetesProbes: liveness on /livez and readiness on /readyz, on the
// port OPS_ADDR opens, and the ops server really answers those paths.
func TestKubernetesProbes(t *testing.T) {
	t.Parallel()
	d := readManifests(t)["Deployment"]
	require.Len(t, d.Spec.Template.Spec.Containers, 1)
	c := d.Spec.Template.Spec.Containers[0]
	assert.Equal(t, 1, d.Spec.Replicas, "one replica until the shared store exists")

	addr := c.env("OPS_ADDR")
	require.NotEmpty(t, addr, "without OPS_ADDR nothing answers the probes")
	port := opsPort(t, addr)
	require.NotNil(t, c.LivenessProbe)
	require.NotNil(t, c.ReadinessProbe)
	assert.Equal(t, ops.PathLive, c.LivenessProbe.HTTPGet.Path)
	assert.Equal(t, ops.PathReady, c.ReadinessProbe.HTTPGet.Path)
	assert.Equal(t, port, c.port(t, c.LivenessProbe.HTTPGet.Port))
	assert.Equal(t, port, c.port(t, c.ReadinessProbe.HTTPGet.Port))

	// The ops server answers both paths (503 is an answer; 404 would not be).
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	bound, err := ops.Serve(ctx, "127.0.0.1:0", &ops.Health{}, ops.NewMetrics(), nil)
	require.NoError(t, err)
	for _, p := range []string{c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path} {
		resp, err := http.Get("http://" + bound + p)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Contains(t, []int{http.StatusOK, http.StatusServiceUnavailable}, resp.StatusCode, p)
	}
}

// TestKubernetesSecretsLoad: every *_FILE the Deployment sets points into
// the mounted Secret at a key it has, and the configuration loads from them.
func TestKubernetesSecretsLoad(t *testing.T) {
	t.Parallel()
	ms := readManifests(t)
	d, secret := ms["Deployment"], ms["Secret"]
	c := d.Spec.Template.Spec.Containers[0]
	mounts := map[string]string{} // mount path → secret name
	for _, v := range d.Spec.Template.Spec.Volumes {
		for _, m := range c.VolumeMounts {
			if m.Name == v.Name && v.Secret.SecretName != "" {
				mounts[m.MountPath] = v.Secret.SecretName
			}
		}
	}
	dir := t.TempDir()
	env := map[string]string{}
	for _, e := range c.Env {
		if !strings.HasSuffix(e.Name, "_FILE") {
			env[e.Name] = e.Value
			continue
		}
		mount, key := filepath.Split(e.Value)
		assert.Equal(t, secret.Metadata.Name, mounts[filepath.Clean(mount)], e.Name)
		value, ok := secret.StringData[key]
		require.True(t, ok, "%s names key %q, which the Secret lacks", e.Name, key)
		p := filepath.Join(dir, key)
		require.NoError(t, os.WriteFile(p, []byte(value), 0o600))
		env[e.Name] = p
	}
	cfg, err := bot.LoadConfig(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, secret.StringData["slack-bot-token"], cfg.SlackBotToken)
	assert.Equal(t, secret.StringData["meeting-app-key"], cfg.MeetingAppKey)
}

// dockerfile returns the instructions of the Dockerfile's last stage and
// every RUN line.
func dockerfile(t *testing.T) (final map[string]string, runs []string) {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(instr) {
		case "FROM":
			final = map[string]string{"FROM": arg}
		case "RUN":
			runs = append(runs, arg)
		}
		if final != nil {
			final[strings.ToUpper(instr)] = arg
		}
	}
	require.NoError(t, sc.Err())
	return final, runs
}

// TestDockerfile: built by .ci/build (the script CI tests), run as a
// non-root user on a base with no shell, with the OPS_ADDR the probes use.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	final, runs := dockerfile(t)
	assert.Contains(t, strings.Join(runs, "\n"), "sh .ci/build ")
	assert.True(t, strings.HasPrefix(final["FROM"], "gcr.io/distroless/static"), final["FROM"])
	assert.Equal(t, "nonroot:nonroot", final["USER"])
	assert.Equal(t, `["/meet-invite"]`, final["ENTRYPOINT"], "exec form: no shell at run time")

	c := readManifests(t)["Deployment"].Spec.Template.Spec.Containers[0]
	assert.Equal(t, "OPS_ADDR="+c.env("OPS_ADDR"), final["ENV"])
	assert.Equal(t, strconv.Itoa(opsPort(t, c.env("OPS_ADDR"))), final["EXPOSE"])

	script, err := os.ReadFile("../.ci/build")
	require.NoError(t, err)
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "internal/version", ".Version=$version"} {
		assert.Contains(t, string(script), want)
	}
}

// TestSystemdUnit: each *_FILE points at a credential the unit loads.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("systemd/meet-invite.service")
	require.NoError(t, err)
	creds := map[string]bool{}
	files := map[string]string{}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "LoadCredential="); ok {
			name, _, _ := strings.Cut(v, ":")
			creds[name] = true
		}
		if v, ok := strings.CutPrefix(line, "Environment="); ok {
			k, val, _ := strings.Cut(v, "=")
			if strings.HasSuffix(k, "_FILE") {
				files[k] = val
			}
		}
	}
	for _, k := range []string{"SLACK_BOT_TOKEN_FILE", "SLACK_APP_TOKEN_FILE", "MEETING_APP_KEY_FILE"} {
		cred, ok := strings.CutPrefix(files[k], "%d/")
		require.True(t, ok, "%s should be under the credentials directory, got %q", k, files[k])
		assert.True(t, creds[cred], "%s names credential %q, which is not loaded", k, cred)
	}
}
