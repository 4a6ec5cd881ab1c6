//! Validation targets of docs/validation.md on the default seeds: the stylized facts of a calm
//! leveraged market, the leverage contrast, and the calibrated crash of 10 October 2025.

use cascade_report::stats::estimators::{excess_kurtosis, std_dev};
use cascade_report::stats::headline::ReturnsSummary;
use cascade_report::stats::returns::{default_burn_in_s, Grid};
use cascade_report::stats::tails::{hill_ks, trimmed_excess_kurtosis, TRIM_SHARE};
use cascade_report::stats::{compute, HorizonStats, Series, StatsOptions};
use cascade_report::{summarize, PriceFormat};
use cascade_sim::{prepare, Override, Recording, Scenario, Simulation};
use std::path::Path;

fn shipped_with(name: &str, sets: &[&str]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    let sets: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    prepare(&std::fs::read_to_string(path).unwrap(), &sets).unwrap()
}

fn shipped(name: &str) -> Scenario {
    shipped_with(name, &[])
}

/// The rules stylized-facts ran under before it moved to the Binance preset: marked to the mid,
/// market-order liquidations, every remainder straight to ADL (docs/validation.md).
const EARLIER_RULES: [&str; 3] = [
    "venue=Custom",
    "mark=Mid",
    "liquidation=LiquidationSpec(enabled: true, step_fraction: 1.0, cooldown_s: 0.5, \
     execution: Market, fee_rate: 0.005, insurance_fund: 100000.0, shortfall: Adl)",
];

fn run(s: &Scenario) -> Recording {
    Simulation::new(s, s.seed).run()
}

fn shortest_horizon(s: &Scenario, rec: &Recording) -> HorizonStats {
    let series = Series::from_recording(rec, &PriceFormat::new(s.instrument.tick_size));
    let stats = compute(&series, &StatsOptions::default()).unwrap();
    stats.horizons.into_iter().next().unwrap()
}

fn linear_acf_5_to_20(h: &HorizonStats) -> f64 {
    h.acf_returns[4..20]
        .iter()
        .fold(0.0f64, |m, x| m.max(x.abs()))
}

fn decay_exponent(h: &HorizonStats) -> f64 {
    h.acf_abs_exponent.unwrap()
}

/// Fat tails and volatility clustering: the facts that hold on seed 1 under both rule sets.
fn assert_fat_tails_and_clustering(h: &HorizonStats) {
    let kurtosis = h.excess_kurtosis.unwrap();
    assert!(kurtosis > 3.0, "excess kurtosis {kurtosis}");
    assert!(
        h.acf_abs[..10].iter().all(|&x| x > h.acf_band),
        "ACF(|r|) lags 1-10: {:?}",
        &h.acf_abs[..10]
    );
    let alpha = h.hill_tail_index.unwrap();
    assert!((2.0..=5.0).contains(&alpha), "tail index {alpha}");
}

#[test]
fn on_its_earlier_rules_the_leveraged_market_shows_all_five_stylized_facts() {
    let s = shipped_with("stylized-facts.ron", &EARLIER_RULES);
    let h = shortest_horizon(&s, &run(&s));
    assert_fat_tails_and_clustering(&h);
    let linear = linear_acf_5_to_20(&h);
    assert!(linear < 0.1, "|ACF(r)| at lags 5-20 reaches {linear}");
    let beta = decay_exponent(&h);
    assert!((0.1..=0.6).contains(&beta), "|r| ACF decay exponent {beta}");
}

/// On the Binance preset seed 1 keeps fat tails and clustering, and the leverage contrast holds;
/// two facts do not hold on this seed (10 of 20 seeds meet all five; docs/validation.md): the
/// linear ACF reaches 0.115 at lag 13 and the decay exponent is 0.62. The test pins that they
/// fail here, so that a change which restores them is noticed and the docs updated.
#[test]
fn on_the_binance_preset_the_leveraged_market_keeps_fat_tails_and_the_unlevered_one_thinner_ones() {
    let s = shipped("stylized-facts.ron");
    let rec = run(&s);
    let h = shortest_horizon(&s, &rec);
    assert_fat_tails_and_clustering(&h);
    assert!(
        linear_acf_5_to_20(&h) >= 0.1 && decay_exponent(&h) > 0.6,
        "seed 1 now meets the linear-ACF or decay target on Binance: update docs/validation.md"
    );
    let kurtosis = h.excess_kurtosis.unwrap();
    let alpha = h.hill_tail_index.unwrap();
    // The robust figures of the targets (seed 1 of the 20 the ignored test below checks):
    // the trimmed kurtosis meets "far above 3", Hill's α with the KS cut-off (1.11) misses
    // bitcoin's published 2-3.
    let fmt = PriceFormat::new(s.instrument.tick_size);
    let robust = ReturnsSummary::of(&Series::from_recording(&rec, &fmt));
    let trimmed = robust.excess_kurtosis_trimmed.unwrap();
    assert!(trimmed > 3.0, "seed 1 trimmed kurtosis {trimmed}");
    let alpha_ks = robust.hill_alpha.unwrap();
    assert!(
        alpha_ks < 2.0,
        "seed 1 Hill α (KS) {alpha_ks} now reaches the published 2-3: update docs/validation.md"
    );

    let u = shipped("stylized-facts-unlevered.ron");
    let hu = shortest_horizon(&u, &run(&u));
    let ku = hu.excess_kurtosis.unwrap();
    assert!(
        ku < kurtosis,
        "unlevered kurtosis {ku} is not below the leveraged {kurtosis}"
    );
    assert!(
        hu.hill_tail_index.unwrap() > alpha,
        "unlevered tails are thinner"
    );
}

/// One seed's robust figures: summary.json's `returns.*` (1 s) and its 1-minute returns
/// after the burn-in, standardised by their own standard deviation (for pooling).
struct SeedFigures {
    seed: u64,
    second: ReturnsSummary,
    minute: Vec<f64>,
}

fn seed_figures(s: &Scenario, seed: u64) -> SeedFigures {
    let rec = Simulation::new(s, seed).run();
    let series = Series::from_recording(&rec, &PriceFormat::new(s.instrument.tick_size));
    let end_s = series.time_s.last().copied().unwrap();
    let grid = Grid::new(
        &series.time_s,
        &series.mid,
        &series.spread_bps,
        s.sample_interval_s,
        default_burn_in_s(end_s),
    );
    let step = (60.0 / s.sample_interval_s).round() as usize;
    let minute: Vec<f64> = grid.log_returns(step).into_iter().flatten().collect();
    let sd = std_dev(&minute).unwrap();
    SeedFigures {
        seed,
        second: ReturnsSummary::of(&series),
        minute: minute.iter().map(|r| r / sd).collect(),
    }
}

/// Mean and 95% Student-t interval of the mean (t(0.975, 19) = 2.093: 20 values).
fn mean_interval_20(x: &[f64]) -> (f64, f64, f64) {
    assert_eq!(x.len(), 20);
    let mean = x.iter().sum::<f64>() / 20.0;
    let half = 2.093 * std_dev(x).unwrap() / 20f64.sqrt();
    (mean, mean - half, mean + half)
}

/// The targets on the robust tail figures (docs/validation.md, "Targets on the robust
/// figures"), over seeds 1-20 of stylized-facts. Published (REFERENCE.md): bitcoin's return
/// tails have α ≈ 2-3 (Begušić et al. 2018; Takaishi 2021), its 1-minute kurtosis is far
/// above Gaussian (Takaishi 2018); no 1-second figure was found. The ranges asserted are what
/// the 20-seed run gave (stated as such in the docs), and where cascade misses the published
/// figure the test asserts the miss, so that a change which ends it is noticed.
#[test]
#[ignore = "20 four-hour runs (3-6 min in a release build): \
            cargo test --release -p cascade-report --test validation -- --ignored"]
fn over_20_seeds_the_robust_tail_figures_land_where_the_docs_say() {
    let s = shipped("stylized-facts.ron");
    let seeds: Vec<u64> = (1..=20).collect();
    let mut figures: Vec<SeedFigures> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (s, seeds) = (&s, &seeds);
                scope.spawn(move || {
                    seeds
                        .iter()
                        .skip(w)
                        .step_by(2)
                        .map(|&seed| seed_figures(s, seed))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    figures.sort_by_key(|f| f.seed);
    let trimmed: Vec<f64> = figures
        .iter()
        .map(|f| f.second.excess_kurtosis_trimmed.unwrap())
        .collect();
    let alpha: Vec<f64> = figures
        .iter()
        .map(|f| f.second.hill_alpha.unwrap())
        .collect();
    eprintln!("trimmed kurtosis per seed {trimmed:?}\nHill α (KS) per seed {alpha:?}");

    // Trimmed excess kurtosis at 1 s: above 3 on average (the 20-seed mean 17.3, its 95%
    // interval 6.6-28.0), as published for 1 minute; per seed 0.21-72.1, under 3 on 8 seeds.
    let (mean, lo, hi) = mean_interval_20(&trimmed);
    eprintln!("trimmed kurtosis: mean {mean}, 95% interval {lo}-{hi}");
    assert!(
        (6.6..=28.1).contains(&mean) && lo > 3.0,
        "mean {mean} ({lo}-{hi})"
    );
    assert!(
        trimmed.iter().all(|k| (0.2..=72.2).contains(k)),
        "{trimmed:?}"
    );
    let above = trimmed.iter().filter(|&&k| k > 3.0).count();
    assert!(
        above < 20,
        "every seed's trimmed kurtosis is now above 3: update docs/validation.md"
    );
    // Hill's α (KS cut-off) at 1 s: the 20-seed mean 1.47 (95% interval 1.23-1.72), per seed
    // 0.87-3.14: heavier than bitcoin's published 2-3, on 19 of 20 seeds. A miss, asserted.
    let (mean, lo, hi) = mean_interval_20(&alpha);
    eprintln!("Hill α (KS): mean {mean}, 95% interval {lo}-{hi}");
    assert!((1.23..=1.72).contains(&mean), "mean α {mean}");
    assert!(
        alpha.iter().all(|a| (0.87..=3.136).contains(a)),
        "{alpha:?}"
    );
    assert!(
        hi < 2.0,
        "the mean α's interval ({lo}-{hi}) reaches the published 2: update docs/validation.md"
    );

    // 1 minute, pooled over the seeds (each seed's returns standardised): the horizon of the
    // published figures. 4 hours give 235 one-minute returns a seed after the burn-in, 4,698
    // pooled. The trimmed kurtosis meets "far above 3" (57.4); α (1.59 on k = 1,093) misses
    // the published 2-3 as at 1 s: asserted, so that a change which ends the miss is noticed.
    let pooled: Vec<f64> = figures.iter().flat_map(|f| f.minute.clone()).collect();
    let kurt = excess_kurtosis(&pooled).unwrap();
    let (kurt_trimmed, dropped) = trimmed_excess_kurtosis(&pooled, TRIM_SHARE).unwrap();
    let tail = hill_ks(&pooled).unwrap();
    eprintln!(
        "1 minute pooled: {} returns, excess kurtosis {kurt}, trimmed {kurt_trimmed} \
         (without {dropped}), Hill α (KS) {} on k = {}",
        pooled.len(),
        tail.alpha,
        tail.k
    );
    assert!(
        kurt_trimmed > 3.0,
        "1-minute trimmed kurtosis {kurt_trimmed}"
    );
    assert!(
        tail.alpha < 2.0,
        "the pooled 1-minute α {} now reaches the published 2-3: update docs/validation.md",
        tail.alpha
    );
}

#[test]
fn the_calibrated_crash_lands_near_the_published_figures() {
    let s = shipped("2025-10-10.ron");
    let rec = run(&s);
    let summary = summarize(&rec, &PriceFormat::new(s.instrument.tick_size), None);
    let get = |value: Option<f64>, path: &str| {
        value.unwrap_or_else(|| panic!("summary.json has no number at {path}"))
    };
    // On one large venue bitcoin fell 13.1% in 12 minutes.
    let fall = get(summary.price.max_fall_12min_pct, "price.max_fall_12min_pct");
    assert!(
        (10.0..=16.0).contains(&fall),
        "fall within 12 minutes {fall}%"
    );
    // 87-91% of the liquidated notional was long.
    let long = get(
        summary.liquidations.long_value_share,
        "liquidations.long_value_share",
    ) * 100.0;
    assert!((87.0..=91.0).contains(&long), "long share {long}%");
    // The bulk came within about 40 minutes.
    let bulk = get(
        summary.liquidations.busiest_40min_share,
        "liquidations.busiest_40min_share",
    );
    assert!(bulk >= 0.9, "busiest 40 minutes hold {bulk} of the value");
    // Spreads went from single-digit basis points to double-digit percent.
    let base = get(summary.spread.baseline_bps, "spread.baseline_bps");
    let peak = get(summary.spread.peak_bps, "spread.peak_bps");
    assert!(base < 10.0, "baseline spread {base} bps");
    assert!(peak >= 1000.0, "peak spread {peak} bps");
    // Top-of-book depth fell by 90% or more.
    let depth = get(summary.depth.min_over_baseline, "depth.min_over_baseline");
    assert!(
        depth <= 0.1,
        "depth within 1% fell to {depth} of its baseline"
    );
}

/// The summary of seed 1 of a shipped scenario, with the scenario.
fn summary_of(name: &str) -> cascade_report::Summary {
    let s = shipped(name);
    summarize(&run(&s), &PriceFormat::new(s.instrument.tick_size), None)
}

/// 12 March 2020 out of sample (docs/validation.md, "Crashes out of sample"), seed 1: what lands
/// (the imported fall, no ADL, the long share) and what does not (the perpetual never trades
/// under spot, funding has the wrong sign, the fund grows instead of falling, no cascade on an
/// index-only mark). A change that moves any of these must update that section.
#[test]
fn the_2020_crash_out_of_sample_imports_its_fall_and_misses_the_discount_and_the_fund_loss() {
    let m = summary_of("2020-03-12.ron");
    // Lands: the index's 7,353 -> 3,978 (-45.9%), the crowd's entry lifting the mid first.
    let fall = m.price.max_drawdown_pct;
    assert!((45.0..=49.0).contains(&fall), "fall {fall}%");
    assert_eq!(m.liquidations.adl_count, 0, "BitMEX had no ADL");
    let long = m.liquidations.long_value_share.unwrap();
    assert!(long >= 0.99, "long share {long} (98.8% on the day)");
    // Does not land: BitMEX's low was about 10% under spot; here within 1% of the index's.
    let low = m.price.min.unwrap();
    assert!(
        low >= 3978.0 * 0.99,
        "the perpetual's low {low} under the index's 3,978"
    );
    let fund = &m.insurance_fund;
    assert!(
        fund.end > fund.start,
        "the fund fell: {} -> {}",
        fund.start,
        fund.end
    );
    let rate = m.funding.unwrap().rate_mean_bps.unwrap();
    assert!(rate > 0.0, "funding {rate} bps (-37.5 on the day)");
    assert_eq!(
        m.liquidations.max_generation, 0,
        "a cascade on an index-only mark"
    );
}

/// 19 May 2021 out of sample, seed 1: the imported fall lands; on Binance's preset the 2025
/// cascade fires (generations, at the start of the fall), and the perpetual stays above the index.
#[test]
fn the_2021_crash_out_of_sample_imports_its_fall_and_cascades_only_at_its_start() {
    let m = summary_of("2021-05-19.ron");
    let fall = m.price.max_drawdown_pct;
    assert!(
        (30.0..=34.0).contains(&fall),
        "fall {fall}% (43,000 -> 30,066 is 30.1%)"
    );
    let low = m.price.min.unwrap();
    assert!(
        low >= 30066.0,
        "the perpetual's low {low} under the index's 30,066"
    );
    assert!(m.liquidations.max_generation >= 1, "no cascade");
    // The cascade comes with the sell program: the steepest 12 minutes are the steepest hour
    // (a straight 12-hour index falls 3.5% in its steepest hour).
    let (f12, f60) = (
        m.price.max_fall_12min_pct.unwrap(),
        m.price.max_fall_60min_pct.unwrap(),
    );
    assert!(
        f12 > 3.5 && f60 == f12,
        "12 minutes {f12}%, 60 minutes {f60}%"
    );
    let rate = m.funding.unwrap().rate_mean_bps.unwrap();
    assert!(rate > 0.0, "funding {rate} bps");
}
