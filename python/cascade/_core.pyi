"""Type stubs of cascade._core, the Rust extension (see cascade/__init__.py for the API)."""

from typing import Any, Callable, Iterable, List, Optional, Tuple

VERSION: str

class ScenarioError(Exception):
    """A scenario or sweep that cannot be run; the message is the CLI's (file:line:col: field)."""

class Order:
    """An instruction to the exchange; quantities in lots, prices in ticks."""
    @staticmethod
    def buy(qty: int, price: Optional[int] = None, tif: str = "gtc") -> "Order": ...
    @staticmethod
    def sell(qty: int, price: Optional[int] = None, tif: str = "gtc") -> "Order": ...
    @staticmethod
    def cancel(order_id: int) -> "Order": ...
    @property
    def kind(self) -> str: ...
    @property
    def side(self) -> Optional[str]: ...
    @property
    def qty(self) -> int: ...
    @property
    def price(self) -> Optional[int]: ...

class View:
    """What a Python agent sees at a wake-up (prices in ticks, money in units of tick × lot)."""
    time_s: float
    time_ns: int
    best_bid: Optional[int]
    best_bid_qty: int
    best_ask: Optional[int]
    best_ask_qty: int
    bids: List[Tuple[int, int]]
    asks: List[Tuple[int, int]]
    last: int
    mark: int
    index: Optional[float]
    vol_bps: float
    funding_rate: Optional[float]
    predicted_funding_rate: Optional[float]
    next_funding_s: Optional[float]
    position: int
    cash: int
    equity: int
    maintenance: int
    in_liquidation: bool
    liquidations: int
    orders: List[int]
    max_order_lots: int
    tick_size: float
    unit_quote: float
    @property
    def mid(self) -> Optional[float]: ...

class Run:
    name: str
    seed: int
    events: int
    wakes: int
    wall_s: float
    warnings: List[str]
    def summary_json(self) -> bytes: ...
    def table_parquet(self, name: str) -> bytes: ...
    def table_csv(self, name: str) -> bytes: ...
    def manifest_json(self) -> str: ...
    def save(self, dir: str, charts: bool = True, force: bool = False) -> List[str]: ...
    def charts(self, format: str = "png") -> List[Tuple[str, bytes]]: ...

class Stepper:
    def __init__(
        self,
        source: str,
        is_file: bool,
        group: str,
        member: int = 0,
        seed: Optional[int] = None,
        sets: List[str] = ...,
        make_agent: Optional[Callable[[dict], Any]] = None,
    ) -> None: ...
    def next(self) -> Optional[View]: ...
    def act(self, orders: Iterable[Order]) -> None: ...
    def close(self) -> int: ...

def run(
    source: str,
    is_file: bool,
    seed: Optional[int] = None,
    sets: List[str] = ...,
    make_agent: Optional[Callable[[dict], Any]] = None,
    audit: bool = False,
) -> Run: ...
def scenario_to_ron(json: str) -> str: ...
def scenario_to_json(source: str, is_file: bool) -> str: ...
class Plan:
    """A planned sweep (every point's values and every run's seed)."""
    name: str
    points: int
    runs: int
    hash: str
    warnings: List[str]

def plan_file(source: str, is_file: bool) -> Plan: ...
def plan_axes(
    name: str,
    base: str,
    base_is_file: bool,
    axes: List[Tuple[str, str, Any]],
    set: List[str],
    seed: int,
    replicates: int = 1,
    seeds: Optional[List[int]] = None,
    common_seeds: bool = False,
    samples: Optional[Tuple[str, int]] = None,
) -> Plan: ...
def sweep(
    plan: Plan,
    out: str,
    threads: int,
    resume: bool = False,
    progress: Optional[Any] = None,
) -> Tuple[int, int, int, int]: ...
