package yespo

// The shared request budget (docs/beyond-one-machine.md): every process on one budget — CLI,
// Python, Go or C, on any host — together starts at most WithRateLimit bulk requests per second,
// counted in Redis.

/*
#include "yespo.h"
*/
import "C"

// BudgetFallback says what NewClient does when the shared budget's Redis cannot be reached.
type BudgetFallback int

const (
	// FallbackError makes NewClient fail with ErrTransport (the default).
	FallbackError BudgetFallback = 0
	// FallbackLocal starts on the local fallback budget (rate / expected processes) and joins
	// the shared budget when Redis answers.
	FallbackLocal BudgetFallback = 1
)

// WithSharedBudget shares the WithRateLimit budget with every process that uses the same Redis
// and budget name: url is "redis://[[user]:password@]host[:port][/db]". NewClient connects and
// fails with ErrTransport (the message names the URL without its password) when Redis cannot be
// reached, unless WithSharedBudgetFallback(FallbackLocal). Redis lost later: the client goes on at
// rate / WithSharedBudgetProcesses, logs it once, reports it in Report.SharedBudget, and rejoins
// when Redis is back.
func WithSharedBudget(url string) Option {
	return func(c *clientConfig) { c.sharedBudgetURL = &url }
}

// WithSharedBudgetName names the budget (its Redis key). Without it the name is derived from a
// hash of the API key, so processes on one key share one budget; the key never reaches Redis.
func WithSharedBudgetName(name string) Option {
	return func(c *clientConfig) { c.setString(C.YESPO_OPT_SHARED_BUDGET_NAME, name) }
}

// WithSharedBudgetProcesses sets how many processes are expected on the budget (default 4): while
// Redis is lost this client sends at rate / n.
func WithSharedBudgetProcesses(n int) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_SHARED_BUDGET_PROCESSES, int64(n)) }
}

// WithSharedBudgetFallback says what to do when Redis cannot be reached at start.
func WithSharedBudgetFallback(f BudgetFallback) Option {
	return func(c *clientConfig) { c.setInt(C.YESPO_OPT_SHARED_BUDGET_FALLBACK, int64(f)) }
}

// SharedBudgetReport is Report.SharedBudget: the budget a job ran under and what happened to
// Redis meanwhile (times are RFC 3339 in UTC).
type SharedBudgetReport struct {
	Name              string  `json:"name"`
	Redis             string  `json:"redis"` // redis://host:port/db, never the password
	Rate              int     `json:"rate"`
	LocalRate         int     `json:"localRate"`
	ExpectedProcesses int     `json:"expectedProcesses"`
	Mode              string  `json:"mode"`      // "shared" or "local" (on the fallback) at the end
	Fallbacks         int     `json:"fallbacks"` // times Redis was lost during the job
	FallbackSince     *string `json:"fallbackSince"`
	Rejoined          *string `json:"rejoined"`
	FallbackMs        int64   `json:"fallbackMs"`
	Reason            *string `json:"reason"`
	Leases            int     `json:"leases"`
	SlotsUsed         int     `json:"slotsUsed"`
	SlotsExpired      int     `json:"slotsExpired"`
}
