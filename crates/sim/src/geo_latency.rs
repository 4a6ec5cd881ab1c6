//! Latency by distance, as ABIDES's `generate_latency_model` (abides-markets `utils`): the
//! exchange and every agent sit at uniform random points on a line (RMSC04: New York to
//! Seattle, 3,866,660 m) and a message takes the light time between them. An ABIDES agent
//! reads the book through a query that reaches the exchange after one light time and sends
//! its order after the reply, so an order arrives two light times after the state it was
//! decided on; cascade's agents read the book when they wake, so each order's latency gains
//! twice the agent's light time.

use crate::rng::{process_stream_id, stream, stream_id};
use crate::scenario::Scenario;
use rand::Rng as _;

/// Metres light travels in a nanosecond.
const LIGHT_M_PER_NS: f64 = 0.299_792_458;

/// Twice the light time between each agent and the exchange, nanoseconds, in agent order;
/// empty when the scenario places nobody on a line. Each position comes from its own stream
/// (the exchange's, and one per group member), so adding an agent moves no one else.
pub(crate) fn round_trip_ns(scenario: &Scenario, seed: u64) -> Vec<i64> {
    let Some(line_m) = scenario.latency.line_m else {
        return Vec::new();
    };
    let place = |id: u64| stream(seed, id).gen::<f64>() * line_m;
    let exchange = place(process_stream_id("latency/exchange"));
    let mut out = Vec::with_capacity(scenario.agent_count() as usize);
    for group in &scenario.agents {
        let key = format!("latency/{}", group.name());
        for i in 0..group.count() {
            let d = (place(stream_id(&key, i)) - exchange).abs();
            out.push((2.0 * d / LIGHT_M_PER_NS).round() as i64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(line_m: Option<f64>, count: u32) -> Scenario {
        let text = format!(
            r#"Scenario(name: "g", duration_s: 10.0, sample_interval_s: 1.0,
            latency: Latency(base_us: 0.0, jitter_us: 0.0, line_m: {line}),
            instrument: Instrument(tick_size: 0.01, lot_size: 1.0, initial_price: 100.0),
            agents: [OneShot(name: "n", count: {count}, size_min: 1, size_max: 1)])"#,
            line = line_m.map_or("None".to_string(), |m| format!("Some({m})")),
        );
        Scenario::parse(&text).unwrap()
    }

    #[test]
    fn round_trips_are_twice_the_light_time_along_the_line() {
        let s = scenario(Some(3_866_660.0), 20_000);
        let rt = round_trip_ns(&s, 1);
        assert_eq!(rt.len(), 20_000);
        // One light time across the whole line is 12.9 ms; a round trip at most 25.8 ms.
        let max = (2.0 * 3_866_660.0 / LIGHT_M_PER_NS).round() as i64;
        assert!(rt.iter().all(|&t| (0..=max).contains(&t)));
        assert!(*rt.iter().max().unwrap() > max / 2, "someone sits far away");
        // |U1 - U2| for two uniforms has mean 1/3 of the line; the exchange's point is fixed,
        // so the agents' mean distance is (e² + (1 − e)²) / 2 of it for the exchange at e.
        let mean = rt.iter().sum::<i64>() as f64 / rt.len() as f64;
        assert!(
            mean > 0.24 * max as f64 && mean < 0.51 * max as f64,
            "{mean}"
        );
        // Another seed moves everyone; the same seed, no one.
        assert_ne!(round_trip_ns(&s, 2), rt);
        assert_eq!(round_trip_ns(&s, 1), rt);
        assert!(round_trip_ns(&scenario(None, 5), 1).is_empty());
    }

    #[test]
    fn adding_agents_moves_no_one_else() {
        let few = round_trip_ns(&scenario(Some(1000.0), 3), 7);
        let many = round_trip_ns(&scenario(Some(1000.0), 9), 7);
        assert_eq!(few[..], many[..3]);
    }
}
