//! End-to-end benchmarks of shipped scenarios (placeholder until filled).
fn main() {}
