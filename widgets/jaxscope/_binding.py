"""The one argument binder of the views that trace ``fn(*args, **kwargs)`` (``js.jaxpr``,
``js.trace``, ``js.hlo``): which arguments are static Python values and which are traced, checked
as ``jax.jit`` would check them, with errors that say how to fix the call."""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any

from ._errors import fn_name, short_repr


@dataclass(frozen=True)
class Bound:
    """``fn``'s arguments, split: ``static_pos`` / ``static_kw`` are passed as Python values."""

    fn: Any  # what to trace: a jax.jit wrapper's own function when it would trace a static here
    args: tuple
    kwargs: dict[str, Any]
    params: tuple[str, ...]  # a name for each positional argument (``x``, ``args[1]``, ``arg2``)
    static_pos: frozenset[int]
    static_kw: frozenset[str]
    note: str = ""  # what the binder did that the learner should know

    @property
    def static_argnums(self) -> tuple[int, ...]:
        return tuple(sorted(self.static_pos))

    @property
    def dyn_pos(self) -> list[int]:
        return [i for i in range(len(self.args)) if i not in self.static_pos]

    @property
    def dyn_args(self) -> tuple:
        return tuple(self.args[i] for i in self.dyn_pos)

    @property
    def dyn_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.kwargs.items() if k not in self.static_kw}

    @property
    def static_kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self.kwargs.items() if k in self.static_kw}

    def make_jaxpr(self) -> Any:
        """``jax.make_jaxpr`` of ``fn`` on these arguments, the static ones as Python values."""
        import jax

        target = functools.partial(self.fn, **self.static_kwargs) if self.static_kw else self.fn
        nums = self.static_argnums
        if all(hashable(self.args[i]) for i in nums):
            # let JAX see the function itself: its errors then name fn's arguments
            return jax.make_jaxpr(target, static_argnums=nums)(*self.args, **self.dyn_kwargs)
        # unhashable static values (a list, a dict): close over them instead
        args = self.args

        def traced(*dyn: Any, **kw: Any) -> Any:
            it = iter(dyn)
            return target(*[args[i] if i in nums else next(it) for i in range(len(args))], **kw)

        traced.__name__ = traced.__qualname__ = fn_name(self.fn)
        return jax.make_jaxpr(traced)(*self.dyn_args, **self.dyn_kwargs)

    def leaf_names(self) -> list[str]:
        """The argument path of each traced leaf, in the order JAX flattens
        ``(dyn_args, dyn_kwargs)``: ``x``, ``params['w']``, ``scale``."""
        import jax

        names = []
        for path, _ in jax.tree_util.tree_flatten_with_path((self.dyn_args, self.dyn_kwargs))[0]:
            head, key, rest = path[0], path[1], path[2:]
            base = self.params[self.dyn_pos[key.idx]] if head.idx == 0 else str(key.key)
            names.append(base + jax.tree_util.keystr(tuple(rest)))
        return names


def bind(
    fn: Any,
    args: tuple,
    kwargs: dict[str, Any],
    static_argnums: Any = (),
    static_argnames: Any = (),
    *,
    view: str,
) -> Bound:
    """Bind ``args`` / ``kwargs`` to ``fn`` for the view ``view`` (``"js.trace"``, named in the
    fixes the errors suggest). ``TypeError`` / ``ValueError`` for a call ``fn`` cannot take, bad
    ``static_argnums`` / ``static_argnames``, or a traced argument JAX cannot trace."""
    args, kwargs = tuple(args), dict(kwargs)
    nums = argnums(static_argnums, len(args), fn)
    names = argnames(static_argnames)
    note = ""
    jit_info = getattr(fn, "_jit_info", None)  # a jax.jit wrapper's own static arguments
    if jit_info is not None:
        try:
            own_nums = argnums(jit_info.static_argnums, len(args), fn, strict=False)
            own_names = argnames(jit_info.static_argnames)
        except Exception:  # noqa: BLE001 - a private field: never fail because of it
            own_nums, own_names = frozenset(), frozenset()
        inner = getattr(fn, "__wrapped__", None)
        if (nums - own_nums or names - own_names) and callable(inner):
            # the jit wrapper would trace the extra static arguments: trace what it wraps
            note = "traced the function inside jax.jit, so that the static arguments apply"
            fn = inner
        else:
            nums, names = nums | own_nums, names | own_names
    sig = signature(fn)
    if sig is not None:
        try:
            sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(
                f"{fn_name(fn)}{sig} cannot be called with these arguments ({exc}); pass "
                f"{view}(fn, *args, **kwargs) exactly the arguments fn takes"
            ) from None
    params = positional_names(sig, len(args))
    for name in argnames(static_argnames):
        if name not in kwargs and name not in params:
            raise ValueError(
                f"static_argnames names {name!r}, but no argument of that name was passed; "
                f"pass it by name, e.g. {view}(fn, x, {name}=...)"
            )
    bound = Bound(
        fn=fn,
        args=args,
        kwargs=kwargs,
        params=tuple(params),
        static_pos=frozenset(i for i in range(len(args)) if i in nums or params[i] in names),
        static_kw=frozenset(k for k in kwargs if k in names),
        note=note,
    )
    for i in bound.dyn_pos:
        _check_traceable(f"argument {i} ({params[i]})", args[i], view, f"static_argnums=({i},)")
    for k, v in bound.dyn_kwargs.items():
        _check_traceable(f"keyword argument {k!r}", v, view, f"static_argnames=({k!r},)")
    return bound


def hashable(value: Any) -> bool:
    """Whether ``value`` can be a dict key (and so a static argument of ``jax.jit``)."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def signature(fn: Any) -> inspect.Signature | None:
    """``fn``'s signature, or ``None`` when Python cannot tell it (some builtins)."""
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def argnums(value: Any, n_args: int, fn: Any = None, *, strict: bool = True) -> frozenset[int]:
    """``static_argnums`` (an int or ints; negative ones count from the end) as positions in
    ``range(n_args)``; with ``strict`` false, positions past the arguments given are dropped (a
    jit wrapper's own static arguments left at their defaults)."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"static_argnums must be an int or a sequence of ints, got {value!r}")
    if isinstance(value, int):
        value = (value,)
    try:
        nums = list(value)
    except TypeError:
        raise TypeError(
            f"static_argnums must be an int or a sequence of ints, got {short_repr(value)}"
        ) from None
    out = set()
    for n in nums:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"static_argnums must hold ints (argument positions), got {n!r}")
        if -n_args <= n < n_args:
            out.add(n % n_args)
        elif strict:
            raise ValueError(
                f"static_argnums={n} is out of range: {fn_name(fn)} was given {n_args} "
                f"positional argument(s); count positions from 0"
            )
    return frozenset(out)


def argnames(value: Any) -> frozenset[str]:
    """``static_argnames`` (a name or names) as a set of names."""
    if isinstance(value, str):
        return frozenset({value})
    try:
        names = list(value)
    except TypeError:
        raise TypeError(
            f"static_argnames must be a str or a sequence of str, got {short_repr(value)}"
        ) from None
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"static_argnames must hold argument names (str), got {n!r}")
    return frozenset(names)


def positional_names(sig: inspect.Signature | None, n_args: int) -> list[str]:
    """A name for each of ``n_args`` positional arguments: the parameter's, ``args[k]`` for
    the k-th one a ``*args`` takes, ``arg<i>`` when the signature is unknown."""
    names: list[str] = []
    if sig is not None:
        for p in sig.parameters.values():
            if len(names) >= n_args:
                break
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                names.append(p.name)
            elif p.kind == p.VAR_POSITIONAL:
                names.extend(f"{p.name}[{k}]" for k in range(n_args - len(names)))
    names.extend(f"arg{i}" for i in range(len(names), n_args))
    return names[:n_args]


def is_traceable_leaf(leaf: Any) -> bool:
    """Whether JAX can trace ``leaf``: an array, a Python or NumPy number, a shape-dtype struct."""
    import jax
    import numpy as np

    if isinstance(leaf, bool | int | float | complex | np.ndarray | np.generic | jax.Array):
        return True
    if isinstance(leaf, jax.ShapeDtypeStruct) or hasattr(leaf, "__jax_array__"):
        return True
    return hasattr(leaf, "shape") and hasattr(leaf, "dtype") and not isinstance(leaf, str)


def _check_traceable(what: str, value: Any, view: str, how: str) -> None:
    import jax

    for path, leaf in jax.tree_util.tree_flatten_with_path(value)[0]:
        if is_traceable_leaf(leaf):
            continue
        where = f"{what}{jax.tree_util.keystr(path)}"
        if isinstance(leaf, str):
            kind = "a string"
        elif inspect.isgenerator(leaf) or type(leaf).__name__.endswith("iterator"):
            raise TypeError(
                f"{where} is an iterator ({type(leaf).__name__}), which JAX cannot trace and "
                f"would use up: pass an array instead, e.g. jnp.asarray(list(it))"
            )
        else:
            kind = f"a {type(leaf).__name__}"
        raise TypeError(
            f"{where} is {kind} ({short_repr(leaf)}), which JAX cannot trace: only arrays and "
            f"numbers are traced. Mark it static: {view}(fn, ..., {how})"
        )
