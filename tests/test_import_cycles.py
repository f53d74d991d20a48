"""The shop's modules import one another one way: no cycle, and payments behind its seam.

Every `import` statement of every module under shop/ is read with `ast`, those inside
functions too (a late import is still a dependency), and the graph is searched for cycles.
"""

import ast
from pathlib import Path

import pytest

SHOP = Path(__file__).resolve().parent.parent / "shop"
FEATURES = ("accounts", "cart", "catalog", "leads", "orders", "payments")

# The payment-provider seam: the interface, the factory, the adapters, their records and the
# JSON shapes of the payment ledger (which name no feature package).
# The rest of the shop reaches payments through it; it reaches no feature package itself.
PAYMENTS_SEAM = {
    "shop.payments.interface",
    "shop.payments.gateway",
    "shop.payments.offline",
    "shop.payments.stripe_gateway",
    "shop.payments.models",
    "shop.payments.schemas",
}
ADAPTERS = {"shop.payments.offline", "shop.payments.stripe_gateway"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SHOP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(SHOP.rglob("*.py"))}


def imported_names(path: Path) -> set[str]:
    """Every module name an import statement in this file names, wherever it stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from shop.payments import services` names the module shop.payments.services.
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                names.add(candidate if candidate in MODULES else node.module)
    return names


def imports_within_shop() -> dict[str, set[str]]:
    """Module -> the shop modules it imports (a package's own __init__ is not counted)."""
    return {name: {n for n in imported_names(path) if n in MODULES and n != "shop"} - {name}
            for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path [a, b, …, a], or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def feature_of(module: str) -> str | None:
    """The feature a module belongs to; the payments seam counts as a part of its own."""
    if module in PAYMENTS_SEAM:
        return "payments.seam"
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in FEATURES else None


def test_no_module_imports_itself_round_a_cycle():
    assert find_cycle(imports_within_shop()) is None


def test_feature_packages_depend_one_way():
    graph: dict[str, set[str]] = {}
    for module, targets in imports_within_shop().items():
        source = feature_of(module)
        if source is None:
            continue
        graph.setdefault(source, set()).update(
            t for target in targets if (t := feature_of(target)) not in (None, source))
    assert find_cycle(graph) is None
    # The direction chosen: payments' outcome services call orders, orders only the seam.
    assert "orders" in graph["payments"]
    assert "payments" not in graph["orders"]


def test_the_seam_imports_no_feature_package():
    for module in PAYMENTS_SEAM:
        others = {feature_of(t) for t in imports_within_shop()[module]} - {None, "payments.seam"}
        assert not others, f"{module} imports {others}"


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_adapters_import_only_the_interface_of_the_seam(adapter):
    seam_imports = {t for t in imports_within_shop()[adapter] if t in PAYMENTS_SEAM}
    allowed = {"shop.payments.interface", "shop.payments.models"}
    assert seam_imports <= allowed, f"{adapter} imports {seam_imports - allowed}"


def test_only_the_factory_chooses_an_adapter():
    # Stripe's webhook endpoint reads Stripe's events with the Stripe adapter's parser.
    allowed = {"shop.payments.gateway": ADAPTERS,
               "shop.payments.webhooks": {"shop.payments.stripe_gateway"}}
    for module, targets in imports_within_shop().items():
        assert targets & ADAPTERS <= allowed.get(module, set()), module


def test_only_the_stripe_adapter_imports_stripe():
    users = {name for name, path in MODULES.items()
             if any(n == "stripe" or n.startswith("stripe.") for n in imported_names(path))}
    assert users == {"shop.payments.stripe_gateway"}


def test_the_cycle_finder_finds_cycles():
    """The searches above would see a cycle if there were one."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
