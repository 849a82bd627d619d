// Go's JWT validators measured as aps-jwt/benches/steady.rs measures aps-jwt: alternating
// batches of about 4 ms of the raw crypto/rsa verify (Go's floor), golang-jwt v5 and jwx v3.
//
// Run: go run bench.go <dump dir> (the dir written by STEADY_DUMP=<dir> cargo bench ... steady).
package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	xjwt "github.com/lestrrat-go/jwx/v3/jwt"
)

type settings struct {
	Issuer   string `json:"issuer"`
	Audience string `json:"audience"`
	Now      int64  `json:"now"`
}

// The claims golang-jwt decodes into (the registered ones plus two of Keycloak's).
type claims struct {
	gjwt.RegisteredClaims
	Scope string `json:"scope"`
	Azp   string `json:"azp"`
}

type bench struct {
	name string
	run  func()
}

var sink any

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

func read(dir, name string) []byte {
	return must(os.ReadFile(filepath.Join(dir, name)))
}

func cases(dir string) []bench {
	var set settings
	check(json.Unmarshal(read(dir, "settings.json"), &set))
	token := strings.TrimSpace(string(read(dir, "rs256.token")))
	var jwks struct {
		Keys []json.RawMessage `json:"keys"`
	}
	check(json.Unmarshal(read(dir, "rs256.jwks.json"), &jwks))
	clock := func() time.Time { return time.Unix(set.Now, 0) }

	// The floor: crypto/rsa over the pre-decoded signing input and signature.
	var jwkRSA struct{ N, E string }
	check(json.Unmarshal(jwks.Keys[0], &jwkRSA))
	b64 := base64.RawURLEncoding
	pub := &rsa.PublicKey{
		N: new(big.Int).SetBytes(must(b64.DecodeString(jwkRSA.N))),
		E: int(new(big.Int).SetBytes(must(b64.DecodeString(jwkRSA.E))).Int64()),
	}
	dot := strings.LastIndexByte(token, '.')
	input := []byte(token[:dot])
	sig := must(b64.DecodeString(token[dot+1:]))

	// golang-jwt has no JWK parser: the key is the one built above, once.
	parser := gjwt.NewParser(
		gjwt.WithValidMethods([]string{"RS256"}),
		gjwt.WithIssuer(set.Issuer),
		gjwt.WithAudience(set.Audience),
		gjwt.WithExpirationRequired(),
		gjwt.WithTimeFunc(clock),
	)
	keyfunc := func(*gjwt.Token) (any, error) { return pub, nil }

	// jwx: the JWK parsed once and exported to an *rsa.PublicKey; options built once.
	var jwxKey rsa.PublicKey
	check(jwk.Export(must(jwk.ParseKey(jwks.Keys[0])), &jwxKey))
	jwxOptions := []xjwt.ParseOption{
		xjwt.WithKey(jwa.RS256(), &jwxKey),
		xjwt.WithIssuer(set.Issuer),
		xjwt.WithAudience(set.Audience),
		xjwt.WithRequiredClaim("exp"),
		xjwt.WithClock(xjwt.ClockFunc(clock)),
	}

	return []bench{
		{"RS256/floor (crypto/rsa)", func() {
			digest := sha256.Sum256(input)
			check(rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig))
		}},
		{"RS256/golang-jwt v5", func() {
			var c claims
			sink = must(parser.ParseWithClaims(token, &c, keyfunc))
		}},
		{"RS256/jwx v3", func() {
			sink = must(xjwt.ParseString(token, jwxOptions...))
		}},
	}
}

func env(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// timeIt returns nanoseconds per call of iters calls.
func timeIt(run func(), iters int) float64 {
	start := time.Now()
	for range iters {
		run()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(iters)
}

// quantile of sorted v, nearest rank (as steady.rs).
func quantile(v []float64, q float64) float64 {
	return v[int(math.Round(float64(len(v)-1)*q))]
}

func main() {
	group := cases(os.Args[1])
	rounds := env("STEADY_ROUNDS", 41)
	batchNs := float64(env("STEADY_BATCH_MS", 4)) * 1e6
	fmt.Printf("rounds: %d, batches of ~%g ms, alternating; ns per call: median [p10-p90]; ratio to the floor per round\n", rounds, batchNs/1e6)
	iters := make([]int, len(group))
	for i, c := range group {
		timeIt(c.run, 200)
		iters[i] = max(1, int(batchNs/timeIt(c.run, 200)))
	}
	samples := make([][]float64, len(group))
	ratios := make([][]float64, len(group))
	for round := range rounds {
		this := make([]float64, len(group))
		for k := range group {
			i := (k + round) % len(group)
			this[i] = timeIt(group[i].run, iters[i])
		}
		for i := range group {
			samples[i] = append(samples[i], this[i])
			ratios[i] = append(ratios[i], this[i]/this[0])
		}
	}
	for i, c := range group {
		s, r := slices.Sorted(slices.Values(samples[i])), slices.Sorted(slices.Values(ratios[i]))
		fmt.Printf("%-28s %9.0f ns [%.0f-%.0f]   x%.3f [%.3f-%.3f]\n", c.name,
			quantile(s, 0.5), quantile(s, 0.1), quantile(s, 0.9),
			quantile(r, 0.5), quantile(r, 0.1), quantile(r, 0.9))
	}
}
