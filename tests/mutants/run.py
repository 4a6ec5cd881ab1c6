"""Hand-written mutants of the liquidation engine, run against the sim crate's tests.

Usage: python3 tests/mutants/run.py CHECKOUT
CHECKOUT is a scratch copy of the repository (e.g. `git worktree add /tmp/mut HEAD`), never
the tree you are editing: each mutant is written into it, `cargo test -p cascade-sim` runs, and
the file is restored. A mutant is killed when a test fails (or it does not compile).
"""
import subprocess, sys, os
W=sys.argv[1]
M=[
 ("crates/sim/src/venue/adl.rs","ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));","ranked.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));","ADL ranking reversed"),
 ("crates/sim/src/venue/adl.rs","ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));","ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(y.1.cmp(&x.1)));","ADL ties to the higher id"),
 ("crates/sim/src/venue/adl.rs","        pnl_pct * lev\n","        pnl_pct / lev\n","ADL score divides by leverage in profit"),
 ("crates/sim/src/venue/settlement.rs","let fee = nominal.min(acc.equity(mark).max(0)) as i64;","let fee = nominal.min(acc.equity(mark).max(0)) as i64 * 0;","fee dropped"),
 ("crates/sim/src/venue/settlement.rs","let fee = nominal.min(acc.equity(mark).max(0)) as i64;","let fee = nominal as i64;","fee not capped at equity"),
 ("crates/sim/src/venue/settlement.rs","self.fund += if sign > 0 { b - value } else { value - b };","self.fund += if sign > 0 { value - b } else { b - value };","fund difference sign flipped"),
 ("crates/sim/src/venue/settlement.rs","floor_div(-c * q, p).max(0) as i64","ceil_div(-c * q, p).max(0) as i64","bankruptcy value rounded against the fund"),
 ("crates/sim/src/venue/liquidation.rs","        let wait = if progressed {\n            self.engine.cooldown_ns\n","        let wait = if progressed {\n            self.engine.cooldown_ns + 1\n","cooldown off by one ns"),
 ("crates/sim/src/venue/liquidation.rs","            StepMode::Fraction => ceil_div(","            StepMode::Fraction => floor_div(","fraction step rounded down"),
 ("crates/sim/src/venue/liquidation.rs","total - tiers[t - 1].cap / mark.max(1)","total - tiers[t].cap / mark.max(1)","tier step keeps its own tier's cap"),
 ("crates/sim/src/venue/liquidation.rs","run.dry_steps >= MAX_DRY_STEPS","run.dry_steps > MAX_DRY_STEPS","retry bound off by one"),
 ("crates/sim/src/venue/liquidation.rs","Execution::Market => self.fund.max(0),","Execution::Market => 0,","market steps ignore the fund"),
 ("crates/sim/src/venue/liquidation.rs","generation: self.mover_gen.map_or(0, |g| g + 1),","generation: self.mover_gen.map_or(0, |g| g),","generation not incremented"),
 ("crates/sim/src/venue/socialize.rs","fractions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));","fractions.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));","largest-remainder ties to the higher id"),
 ("crates/sim/src/venue/socialize.rs","        self.socialized += collected;\n","","bad debt not counted"),
 ("crates/sim/src/venue/socialize.rs","let owed = i128::from(deficit).min(total);","let owed = i128::from(deficit);","winners pay more than their profit"),
 ("crates/sim/src/accounts.rs","            if k >= mark {\n                self.longs.pop_last();","            if k > mark {\n                self.longs.pop_last();","long crossed only strictly"),
 ("crates/sim/src/margin.rs","equity * i128::from(PPM) < self.maintenance_scaled(notional)","equity * i128::from(PPM) <= self.maintenance_scaled(notional)","liquidatable at exactly maintenance"),
]
res=[]
for f,a,b,name in M:
    p=os.path.join(W,f); src=open(p).read()
    assert src.count(a)==1,(name,src.count(a))
    open(p,'w').write(src.replace(a,b))
    try:
        r=subprocess.run("cd %s && timeout 900 cargo test -p cascade-sim 2>&1 | grep -E '^test .* FAILED|test result|error\\['"%W,shell=True,capture_output=True,text=True)
        out=r.stdout
        killed=('FAILED' in out) or ('error[' in out)
        failing=[l.split()[1] for l in out.splitlines() if l.endswith('FAILED') and l.startswith('test ')]
        res.append((name,killed,failing))
        print(("KILLED  " if killed else "SURVIVED"),name,failing[:3],flush=True)
    finally:
        open(p,'w').write(src)
print("killed %d of %d"%(sum(k for _,k,_ in res),len(res)))
