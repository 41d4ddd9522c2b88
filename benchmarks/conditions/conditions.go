// Package conditions reads the state of the machine around a timed loop,
// from /proc and the cgroup files, so that a result says how busy the
// machine was while it was measured. It runs no model and needs no cgo.
//
// Around the timed loop it takes two snapshots and reports:
//
//   - the 1-minute load average before and after (/proc/loadavg);
//   - CPU steal: the share of all CPUs' time that the hypervisor gave to
//     other guests during the loop (/proc/stat);
//   - others' CPU: the CPUs' worth of busy time, during the loop, that was
//     not this process's (/proc/stat less getrusage's user and system time);
//   - involuntary context switches of this process's threads (getrusage),
//     per timed iteration;
//   - CPU throttling: the share of the loop's wall time that the cgroup's
//     CPU quota held this cgroup back (cpu.stat: throttled_usec in cgroup
//     v2, throttled_time in v1);
//
// and, once, GOMAXPROCS, the usable CPUs and the cgroup's CPU quota.
package conditions

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Snapshot is the state read at one moment.
type Snapshot struct {
	At        time.Time
	Load1     float64 // 1-minute load average; NaN when unknown
	busy      uint64  // /proc/stat ticks spent busy, all CPUs
	total     uint64  // /proc/stat ticks, all CPUs
	steal     uint64  // /proc/stat steal ticks
	hostCPUs  int     // cpuN lines of /proc/stat
	ownCPU    time.Duration
	nivcsw    int64
	procStats bool
	throttled time.Duration // cgroup cpu.stat
	hasThrot  bool
}

// Take reads a snapshot.
func Take() Snapshot {
	s := Snapshot{At: time.Now(), Load1: math.NaN()}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) > 0 {
			if v, err := strconv.ParseFloat(f[0], 64); err == nil {
				s.Load1 = v
			}
		}
	}
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		s.busy, s.total, s.steal, s.hostCPUs, s.procStats = parseStat(data)
	}
	s.throttled, s.hasThrot = readThrottled()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.ownCPU, s.nivcsw = cpuOf(&ru), ru.Nivcsw
	}
	return s
}

// readThrottled returns the cgroup's total throttled time: throttled_usec
// of cgroup v2's cpu.stat, or throttled_time (ns) of v1's.
func readThrottled() (time.Duration, bool) {
	if data, err := os.ReadFile("/sys/fs/cgroup/cpu.stat"); err == nil {
		if v, ok := statField(data, "throttled_usec"); ok {
			return time.Duration(v) * time.Microsecond, true
		}
	}
	if data, err := os.ReadFile("/sys/fs/cgroup/cpu/cpu.stat"); err == nil {
		if v, ok := statField(data, "throttled_time"); ok {
			return time.Duration(v), true
		}
	}
	return 0, false
}

// statField returns the value of the "key value" line key in data.
func statField(data []byte, key string) (int64, bool) {
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok && k == key {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// parseStat reads the aggregate "cpu" line of /proc/stat: user nice system
// idle iowait irq softirq steal …; busy is all but idle and iowait.
func parseStat(data []byte) (busy, total, steal uint64, cpus int, ok bool) {
	for line := range bytes.Lines(data) {
		f := strings.Fields(string(line))
		if len(f) == 0 {
			continue
		}
		if f[0] != "cpu" {
			if strings.HasPrefix(f[0], "cpu") {
				cpus++
			}
			continue
		}
		for i, v := range f[1:] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return 0, 0, 0, 0, false
			}
			if i >= 8 { // guest and guest_nice are already in user and nice
				break
			}
			total += n
			if i != 3 && i != 4 {
				busy += n
			}
			if i == 7 {
				steal = n
			}
		}
		ok = true
	}
	return busy, total, steal, cpus, ok
}

// During is what happened between two snapshots.
type During struct {
	LoadBefore, LoadAfter float64 // NaN when unknown
	// StealPct is CPU steal, in % of all CPUs' time; NaN when unknown.
	StealPct float64
	// OtherCPUs is the busy time of everything but this process, in CPUs
	// (1.0: one CPU kept busy all along); NaN when unknown.
	OtherCPUs float64
	// Nivcsw is the number of involuntary context switches of this process.
	Nivcsw int64
	// ThrottledPct is the share of the wall time that the cgroup's CPU
	// quota throttled it, in %; NaN when unknown (no cgroup cpu.stat).
	ThrottledPct float64
}

// Between returns what happened from a to b.
func Between(a, b Snapshot) During {
	d := During{LoadBefore: a.Load1, LoadAfter: b.Load1, StealPct: math.NaN(), OtherCPUs: math.NaN(), Nivcsw: b.nivcsw - a.nivcsw,
		ThrottledPct: math.NaN()}
	if wall := b.At.Sub(a.At); a.hasThrot && b.hasThrot && wall > 0 {
		d.ThrottledPct = 100 * float64(b.throttled-a.throttled) / float64(wall)
	}
	if a.procStats && b.procStats && b.total > a.total {
		dt := float64(b.total - a.total)
		d.StealPct = 100 * float64(b.steal-a.steal) / dt
		wall := b.At.Sub(a.At).Seconds()
		if wall > 0 && b.hostCPUs > 0 {
			busyCPUs := float64(b.busy-a.busy) / dt * float64(b.hostCPUs)
			own := (b.ownCPU - a.ownCPU).Seconds() / wall
			d.OtherCPUs = max(busyCPUs-own, 0)
		}
	}
	return d
}

// Machine describes the CPUs a run may use.
type Machine struct {
	GOMAXPROCS int
	// CPUs is the number of CPUs the process may run on (its affinity).
	CPUs int
	// Quota is the cgroup's CPU quota in CPUs, 0 when there is none.
	Quota float64
}

// ReadMachine reads GOMAXPROCS, the CPU count and the cgroup quota (v2
// cpu.max, else v1 cpu.cfs_quota_us / cpu.cfs_period_us).
func ReadMachine() Machine {
	m := Machine{GOMAXPROCS: runtime.GOMAXPROCS(0), CPUs: runtime.NumCPU()}
	if data, err := os.ReadFile("/sys/fs/cgroup/cpu.max"); err == nil {
		f := strings.Fields(string(data))
		if len(f) == 2 && f[0] != "max" {
			q, err1 := strconv.ParseFloat(f[0], 64)
			p, err2 := strconv.ParseFloat(f[1], 64)
			if err1 == nil && err2 == nil && p > 0 {
				m.Quota = q / p
			}
		}
		return m
	}
	q, err1 := os.ReadFile("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
	p, err2 := os.ReadFile("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
	if err1 == nil && err2 == nil {
		qv, err1 := strconv.ParseFloat(strings.TrimSpace(string(q)), 64)
		pv, err2 := strconv.ParseFloat(strings.TrimSpace(string(p)), 64)
		if err1 == nil && err2 == nil && qv > 0 && pv > 0 {
			m.Quota = qv / pv
		}
	}
	return m
}

// Usable returns the CPUs the run may use: the CPU count, lowered to the
// quota.
func (m Machine) Usable() float64 {
	c := float64(m.CPUs)
	if m.Quota > 0 && m.Quota < c {
		c = m.Quota
	}
	return c
}

// QuotaString is the cpu-quota configuration value: "none" or "1.5".
func (m Machine) QuotaString() string {
	if m.Quota <= 0 {
		return "none"
	}
	return strconv.FormatFloat(m.Quota, 'g', 4, 64)
}

// Threads returns the number of threads of this process
// (/proc/self/status), 0 when unknown.
func Threads() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// String is a one-line description, for warnings.
func (d During) String() string {
	return fmt.Sprintf("load %.2f→%.2f, others used %.2f CPUs, steal %.1f%%, %d involuntary switches", d.LoadBefore, d.LoadAfter, d.OtherCPUs, d.StealPct, d.Nivcsw)
}

// cpuOf is the CPU time, user and system, of ru.
func cpuOf(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ProcessCPU returns the CPU time this process has used, and false where
// the system does not say.
func ProcessCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return cpuOf(&ru), true
}

// SettleStep is how often Settle looks at the process's CPU time.
const SettleStep = 5 * time.Millisecond

// Settle waits, for at most limit, until this process's threads are
// quiet: until a SettleStep passes in which they used under a fifth of a
// core. It returns how long it waited.
//
// It is called before every warm-up: ONNX Runtime's intra-op workers spin
// for a while after their session's last Run (about 30 ms of one core on
// the 2-core development machine; TestSettleAfterRun), and a measurement
// that starts then, in the same process, on another session or at
// another batch size, shares the cores with them. A process that never
// goes quiet (other goroutines of a plugin user's) costs limit.
func Settle(limit time.Duration) time.Duration {
	start := time.Now()
	prev, ok := ProcessCPU()
	if !ok {
		return 0
	}
	for time.Since(start) < limit {
		time.Sleep(SettleStep)
		cur, _ := ProcessCPU()
		if cur-prev < SettleStep/5 {
			break
		}
		prev = cur
	}
	return time.Since(start)
}
