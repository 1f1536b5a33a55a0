"""Read OpenSim ``.osim`` musculoskeletal models into frozen dataclasses.

Both file layouts are supported:

* OpenSim 4 (``<OpenSimDocument Version="40000">`` and later): a ``<JointSet>`` whose joints
  connect ``PhysicalOffsetFrame`` s through ``socket_parent_frame``/``socket_child_frame``;
  coordinates are listed inside their joint; ``<inertia>`` is a 6-vector.
* OpenSim 3 (``Version="30000"`` and earlier): each child body holds its ``<Joint>`` with
  ``<parent_body>``, ``<location_in_parent>``, ``<orientation_in_parent>``, ``<location>``,
  ``<orientation>`` and a ``<CoordinateSet>``; inertia is ``inertia_xx`` … ``inertia_yz``.

Everything is SI (kg, m, rad, kg·m²) in OpenSim's model frame (x forward, y up, z right).
Orientations are body-fixed X-Y-Z Euler angles, as in OpenSim (Delp et al. 2007, IEEE TBME
54:1940; Seth et al. 2018, PLoS Comput Biol 14:e1006223).

Functions (``Constant``, ``LinearFunction``, ``PolynomialFunction``, ``SimmSpline``,
``NaturalCubicSpline``, ``GCVSpline``, ``PiecewiseLinearFunction``, ``MultiplierFunction``)
are evaluated vectorised, with their first derivative. ``SimmSpline`` and ``NaturalCubicSpline``
are ported from OpenSim's ``SimmSpline.cpp``/``NaturalCubicSpline.cpp`` (which share the same
code despite the name): an interpolating cubic spline with the Forsythe–Malcolm–Moler end
conditions (third derivatives at the ends matched to divided differences of the four end
points, *not* natural end conditions) and linear extrapolation with the end slopes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kneeload.exceptions import InputError

FloatArray = NDArray[np.float64]

#: name of the root frame in every model
GROUND = "ground"

_TINY = 1e-5  # OpenSim's SimmMacros TINY_NUMBER, used as the minimum knot spacing


def _readonly(a: ArrayLike) -> FloatArray:
    out = np.array(a, dtype=np.float64)
    out.flags.writeable = False
    return out


def rotation_body_fixed_xyz(angles: ArrayLike) -> FloatArray:
    """Rotation matrix of body-fixed X-Y-Z Euler angles, ``R = Rx(a)·Ry(b)·Rz(c)``.

    Parameters
    ----------
    angles : (..., 3) [rad]

    Returns
    -------
    (..., 3, 3) rotation taking vectors from the rotated frame to the reference frame.
    """
    ang = np.asarray(angles, dtype=np.float64)
    ca, cb, cc = np.cos(ang[..., 0]), np.cos(ang[..., 1]), np.cos(ang[..., 2])
    sa, sb, sc = np.sin(ang[..., 0]), np.sin(ang[..., 1]), np.sin(ang[..., 2])
    r = np.empty((*ang.shape[:-1], 3, 3))
    r[..., 0, 0] = cb * cc
    r[..., 0, 1] = -cb * sc
    r[..., 0, 2] = sb
    r[..., 1, 0] = sa * sb * cc + ca * sc
    r[..., 1, 1] = -sa * sb * sc + ca * cc
    r[..., 1, 2] = -sa * cb
    r[..., 2, 0] = -ca * sb * cc + sa * sc
    r[..., 2, 1] = ca * sb * sc + sa * cc
    r[..., 2, 2] = ca * cb
    return r


def _body_fixed_xyz_angles(r: FloatArray) -> FloatArray:
    """Inverse of :func:`rotation_body_fixed_xyz` for one matrix [rad]."""
    b = float(np.arcsin(np.clip(r[0, 2], -1.0, 1.0)))
    a = float(np.arctan2(-r[1, 2], r[2, 2]))
    c = float(np.arctan2(-r[0, 1], r[0, 0]))
    return np.array([a, b, c])


# --------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------


class OsimFunction(ABC):
    """A scalar function of one coordinate, as OpenSim's ``Function`` (SI units in and out)."""

    @abstractmethod
    def value(self, x: ArrayLike) -> FloatArray:
        """Function value at ``x`` (any shape); same shape as ``x``."""

    @abstractmethod
    def derivative(self, x: ArrayLike) -> FloatArray:
        """First derivative d f / d x at ``x``; same shape as ``x``."""

    @property
    def is_constant(self) -> bool:
        """True when the function does not depend on its argument."""
        return False


@dataclass(frozen=True, eq=False)
class Constant(OsimFunction):
    """``Constant``: f(x) = c."""

    c: float

    def value(self, x: ArrayLike) -> FloatArray:
        return np.full(np.shape(x), self.c, dtype=np.float64)

    def derivative(self, x: ArrayLike) -> FloatArray:
        return np.zeros(np.shape(x), dtype=np.float64)

    @property
    def is_constant(self) -> bool:
        return True


@dataclass(frozen=True, eq=False)
class LinearFunction(OsimFunction):
    """``LinearFunction``: f(x) = slope·x + intercept (``<coefficients>slope intercept``)."""

    slope: float = 1.0
    intercept: float = 0.0

    def value(self, x: ArrayLike) -> FloatArray:
        return self.slope * np.asarray(x, dtype=np.float64) + self.intercept

    def derivative(self, x: ArrayLike) -> FloatArray:
        return np.full(np.shape(x), self.slope, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class PolynomialFunction(OsimFunction):
    """``PolynomialFunction``: coefficients from the highest order to the constant term."""

    coefficients: FloatArray

    def value(self, x: ArrayLike) -> FloatArray:
        return np.asarray(np.polyval(self.coefficients, np.asarray(x, dtype=np.float64)))

    def derivative(self, x: ArrayLike) -> FloatArray:
        xa = np.asarray(x, dtype=np.float64)
        if self.coefficients.size < 2:
            return np.zeros(xa.shape)
        return np.asarray(np.polyval(np.polyder(self.coefficients), xa))


@dataclass(frozen=True, eq=False)
class MultiplierFunction(OsimFunction):
    """``MultiplierFunction``: f(x) = scale·g(x) (how OpenSim's Scale tool scales a joint)."""

    scale: float
    function: OsimFunction

    def value(self, x: ArrayLike) -> FloatArray:
        return self.scale * self.function.value(x)

    def derivative(self, x: ArrayLike) -> FloatArray:
        return self.scale * self.function.derivative(x)

    @property
    def is_constant(self) -> bool:
        return self.function.is_constant


@dataclass(frozen=True, eq=False)
class CubicSpline(OsimFunction):
    """Interpolating cubic spline of OpenSim's ``SimmSpline`` / ``NaturalCubicSpline``.

    Port of ``SimmSpline::calcCoefficients`` (OpenSim 4): Forsythe–Malcolm–Moler end
    conditions (end third derivatives from divided differences; with 3 points a parabola, with
    2 points a line), evaluated as ``y_k + b_k·dx + c_k·dx² + d_k·dx³`` and extrapolated
    linearly with the end slopes outside ``[x_0, x_{n-1}]``.

    Attributes
    ----------
    kind : XML tag it came from ("SimmSpline" or "NaturalCubicSpline")
    x, y : knots and values
    b, c, d : polynomial coefficients per knot (computed by :meth:`from_points`)
    """

    kind: str
    x: FloatArray
    y: FloatArray
    b: FloatArray
    c: FloatArray
    d: FloatArray

    @classmethod
    def from_points(cls, x: ArrayLike, y: ArrayLike, kind: str = "SimmSpline") -> CubicSpline:
        """Fit the spline through the points (x strictly increasing, at least 2 points)."""
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
        n = xs.size
        if n < 2 or ys.size != n:
            raise ValueError("a spline needs at least 2 points and as many y as x")
        b = np.zeros(n)
        c = np.zeros(n)
        d = np.zeros(n)
        if n == 2:
            t = max(_TINY, xs[1] - xs[0])
            b[:] = (ys[1] - ys[0]) / t
            return cls(kind, _readonly(xs), _readonly(ys), _readonly(b), _readonly(c), _readonly(d))
        nm1, nm2 = n - 1, n - 2
        # tridiagonal system: b = diagonal, d = off-diagonal, c = right-hand side
        d[0] = max(_TINY, xs[1] - xs[0])
        c[1] = (ys[1] - ys[0]) / d[0]
        for i in range(1, nm1):
            d[i] = max(_TINY, xs[i + 1] - xs[i])
            b[i] = 2.0 * (d[i - 1] + d[i])
            c[i + 1] = (ys[i + 1] - ys[i]) / d[i]
            c[i] = c[i + 1] - c[i]
        # end conditions: third derivatives at the ends from divided differences
        b[0] = -d[0]
        b[nm1] = -d[nm2]
        c[0] = 0.0
        c[nm1] = 0.0
        if n > 3:
            d31 = max(_TINY, xs[3] - xs[1])
            d20 = max(_TINY, xs[2] - xs[0])
            d1 = max(_TINY, xs[nm1] - xs[n - 3])
            d2 = max(_TINY, xs[nm2] - xs[n - 4])
            d30 = max(_TINY, xs[3] - xs[0])
            d3 = max(_TINY, xs[nm1] - xs[n - 4])
            c[0] = c[2] / d31 - c[1] / d20
            c[nm1] = c[nm2] / d1 - c[n - 3] / d2
            c[0] = c[0] * d[0] * d[0] / d30
            c[nm1] = -c[nm1] * d[nm2] * d[nm2] / d3
        for i in range(1, n):  # forward elimination
            t = d[i - 1] / b[i - 1]
            b[i] -= t * d[i - 1]
            c[i] -= t * c[i - 1]
        c[nm1] /= b[nm1]  # back substitution
        for i in range(nm2, -1, -1):
            c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
        b[nm1] = (ys[nm1] - ys[nm2]) / d[nm2] + d[nm2] * (c[nm2] + 2.0 * c[nm1])
        for i in range(nm1):
            b[i] = (ys[i + 1] - ys[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
            d[i] = (c[i + 1] - c[i]) / d[i]
            c[i] *= 3.0
        c[nm1] *= 3.0
        d[nm1] = d[nm2]
        return cls(kind, _readonly(xs), _readonly(ys), _readonly(b), _readonly(c), _readonly(d))

    def _segment(self, x: ArrayLike) -> tuple[FloatArray, NDArray[np.intp], FloatArray]:
        xa = np.asarray(x, dtype=np.float64)
        k = np.clip(np.searchsorted(self.x, xa, side="right") - 1, 0, self.x.size - 2)
        return xa, k, xa - self.x[k]

    def value(self, x: ArrayLike) -> FloatArray:
        xa, k, dx = self._segment(x)
        out = self.y[k] + dx * (self.b[k] + dx * (self.c[k] + dx * self.d[k]))
        lo, hi = xa < self.x[0], xa > self.x[-1]
        out = np.where(lo, self.y[0] + (xa - self.x[0]) * self.b[0], out)
        out = np.where(hi, self.y[-1] + (xa - self.x[-1]) * self.b[-1], out)
        return np.asarray(out, dtype=np.float64)

    def derivative(self, x: ArrayLike) -> FloatArray:
        xa, k, dx = self._segment(x)
        out = self.b[k] + dx * (2.0 * self.c[k] + 3.0 * dx * self.d[k])
        out = np.where(xa < self.x[0], self.b[0], out)
        out = np.where(xa > self.x[-1], self.b[-1], out)
        return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class PiecewiseLinearFunction(OsimFunction):
    """``PiecewiseLinearFunction``: linear interpolation, linear extrapolation of end segments."""

    x: FloatArray
    y: FloatArray

    def _slopes(self) -> FloatArray:
        return np.diff(self.y) / np.maximum(np.diff(self.x), _TINY)

    def value(self, x: ArrayLike) -> FloatArray:
        xa = np.asarray(x, dtype=np.float64)
        k = np.clip(np.searchsorted(self.x, xa, side="right") - 1, 0, self.x.size - 2)
        return np.asarray(self.y[k] + (xa - self.x[k]) * self._slopes()[k], dtype=np.float64)

    def derivative(self, x: ArrayLike) -> FloatArray:
        xa = np.asarray(x, dtype=np.float64)
        k = np.clip(np.searchsorted(self.x, xa, side="right") - 1, 0, self.x.size - 2)
        return np.asarray(self._slopes()[k], dtype=np.float64)


@dataclass(frozen=True, eq=False)
class GCVSpline(OsimFunction):
    """``GCVSpline`` (Woltring's GCVSPL) of half order m through its ``<x>``, ``<y>`` points.

    Evaluated as the *interpolating* natural spline of degree 2m−1 (derivatives m … 2m−2 zero
    at the ends, Taylor extrapolation of order m−1 outside), which is what GCVSPL returns for
    ``error_variance`` = 0. Smoothing for a nonzero error variance is not reproduced.
    """

    x: FloatArray
    y: FloatArray
    half_order: int

    def _spline(self) -> Any:
        from scipy.interpolate import make_interp_spline

        m = self.half_order
        k = 2 * m - 1
        if m <= 1:
            return make_interp_spline(self.x, self.y, k=1)
        ends = [(j, 0.0) for j in range(m, 2 * m - 1)]
        bc: Any = (ends, ends)
        return make_interp_spline(self.x, self.y, k=k, bc_type=bc)

    def _eval(self, x: ArrayLike, nu: int) -> FloatArray:
        from math import factorial

        spl = self._spline()
        xa = np.asarray(x, dtype=np.float64)
        out = np.asarray(spl(np.clip(xa, self.x[0], self.x[-1]), nu), dtype=np.float64)
        for edge, mask in ((self.x[0], xa < self.x[0]), (self.x[-1], xa > self.x[-1])):
            if np.any(mask):
                h = xa[mask] - edge
                ext = np.zeros_like(h)
                for j in range(nu, max(self.half_order, nu + 1)):
                    ext += float(spl(edge, j)) * h ** (j - nu) / factorial(j - nu)
                out[mask] = ext
        return out

    def value(self, x: ArrayLike) -> FloatArray:
        return self._eval(x, 0)

    def derivative(self, x: ArrayLike) -> FloatArray:
        return self._eval(x, 1)


# --------------------------------------------------------------------------------------------
# Model components
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Body:
    """A rigid body.

    Attributes
    ----------
    name : body name
    mass : [kg]
    mass_center : (3,) centre of mass in the body frame [m]
    inertia : (3, 3) inertia tensor about the centre of mass, body frame [kg·m²]
    """

    name: str
    mass: float
    mass_center: FloatArray
    inertia: FloatArray


@dataclass(frozen=True, eq=False)
class OffsetFrame:
    """A frame fixed to a body (a joint's parent or child frame).

    Attributes
    ----------
    body : body the frame is fixed to (``"ground"`` for the ground)
    translation : (3,) frame origin in the body frame [m]
    orientation : (3,) body-fixed X-Y-Z Euler angles of the frame in the body [rad]
    """

    body: str
    translation: FloatArray
    orientation: FloatArray

    @property
    def rotation(self) -> FloatArray:
        """(3, 3) rotation from this frame to the body frame."""
        return rotation_body_fixed_xyz(self.orientation)


@dataclass(frozen=True, eq=False)
class TransformAxis:
    """One of the six axes of a CustomJoint's ``SpatialTransform``.

    Attributes
    ----------
    name : "rotation1" … "rotation3", "translation1" … "translation3"
    axis : (3,) direction in the joint's parent (F) frame, as written in the file
    coordinates : coordinate names the function takes (0 or 1)
    function : angle [rad] or displacement [m] as a function of the coordinate
    """

    name: str
    axis: FloatArray
    coordinates: tuple[str, ...]
    function: OsimFunction


@dataclass(frozen=True, eq=False)
class Joint:
    """A joint between a parent body and a child body.

    Attributes
    ----------
    name : joint name
    type : XML tag: "CustomJoint", "PinJoint", "WeldJoint", "UniversalJoint", "BallJoint", …
    parent_body, child_body : body names (parent may be ``"ground"``)
    parent_frame : frame F fixed to the parent body
    child_frame : frame M fixed to the child body (coincides with F at zero motion)
    coordinates : names of the coordinates the joint owns, in file order
    spatial_transform : the six transform axes (CustomJoint only), else empty
    reverse : OpenSim 3 ``<reverse>`` flag (FK refuses reversed joints)
    """

    name: str
    type: str
    parent_body: str
    child_body: str
    parent_frame: OffsetFrame
    child_frame: OffsetFrame
    coordinates: tuple[str, ...]
    spatial_transform: tuple[TransformAxis, ...] = ()
    reverse: bool = False


@dataclass(frozen=True)
class Coordinate:
    """A generalized coordinate.

    Attributes
    ----------
    name : coordinate name
    joint : owning joint
    motion_type : "rotational" [rad] or "translational" [m] (OpenSim 3 may say "coupled")
    default_value : [rad or m]
    range : (min, max) [rad or m]
    clamped, locked : OpenSim flags
    """

    name: str
    joint: str
    motion_type: str
    default_value: float
    range: tuple[float, float]
    clamped: bool
    locked: bool


@dataclass(frozen=True, eq=False)
class CoordinateCouplerConstraint:
    """``q_dependent = scale_factor · f(q_independent)`` (e.g. Rajagopal's knee_angle_r_beta).

    Attributes
    ----------
    name : constraint name
    independent : independent coordinate names (one for the functions supported)
    dependent : dependent coordinate name
    function : f
    scale_factor : multiplies f
    enforced : False when the file disables the constraint
    """

    name: str
    independent: tuple[str, ...]
    dependent: str
    function: OsimFunction
    scale_factor: float = 1.0
    enforced: bool = True

    def value(self, q_independent: ArrayLike) -> FloatArray:
        """Dependent coordinate value for the independent coordinate value(s)."""
        return self.scale_factor * self.function.value(q_independent)


@dataclass(frozen=True, eq=False)
class Marker:
    """A model marker: ``location`` [m] in the frame of ``body``."""

    name: str
    body: str
    location: FloatArray


@dataclass(frozen=True, eq=False)
class OsimModel:
    """An OpenSim model.

    Attributes
    ----------
    source : the file read
    name : model name
    version : ``OpenSimDocument`` version (e.g. 30000, 40000)
    gravity : (3,) [m/s²] in ground
    bodies : body name -> Body (ground excluded)
    joints : joint name -> Joint
    coordinates : coordinate name -> Coordinate, in joint order
    constraints : constraint name -> CoordinateCouplerConstraint (other constraint types are
        not read)
    markers : marker name -> Marker
    child_joint : child body name -> name of the joint connecting it to its parent
    """

    source: str
    name: str
    version: int
    gravity: FloatArray
    bodies: Mapping[str, Body]
    joints: Mapping[str, Joint]
    coordinates: Mapping[str, Coordinate]
    constraints: Mapping[str, CoordinateCouplerConstraint] = field(default_factory=dict)
    markers: Mapping[str, Marker] = field(default_factory=dict)
    child_joint: Mapping[str, str] = field(default_factory=dict)

    @property
    def mass_kg(self) -> float:
        """Total mass of the bodies [kg]."""
        return float(sum(b.mass for b in self.bodies.values()))

    def translational_coordinates(self) -> tuple[str, ...]:
        """Names of the translational coordinates (metres; the others are radians)."""
        return tuple(n for n, c in self.coordinates.items() if c.motion_type == "translational")

    def rotational_coordinates(self) -> tuple[str, ...]:
        """Names of the coordinates in radians (rotational or coupled)."""
        return tuple(n for n, c in self.coordinates.items() if c.motion_type != "translational")

    def dependent_coordinates(self) -> tuple[str, ...]:
        """Coordinates set by an enforced CoordinateCouplerConstraint."""
        return tuple(c.dependent for c in self.constraints.values() if c.enforced)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

_FUNCTION_TAGS = frozenset(
    {
        "Constant",
        "LinearFunction",
        "PolynomialFunction",
        "SimmSpline",
        "NaturalCubicSpline",
        "GCVSpline",
        "PiecewiseLinearFunction",
        "MultiplierFunction",
    }
)
_KNOWN_UNSUPPORTED_FUNCTIONS = frozenset(
    {"PiecewiseConstantFunction", "StepFunction", "Sine", "FunctionSet", "MultivariatePolynomial"}
)
_JOINT_COORD_TYPES: dict[str, tuple[str, ...]] = {
    "PinJoint": ("rotational",),
    "UniversalJoint": ("rotational", "rotational"),
    "BallJoint": ("rotational",) * 3,
    "GimbalJoint": ("rotational",) * 3,
    "SliderJoint": ("translational",),
    "FreeJoint": ("rotational",) * 3 + ("translational",) * 3,
    "PlanarJoint": ("rotational", "translational", "translational"),
    "EllipsoidJoint": ("rotational",) * 3,
}


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.src = str(path)

    # ---- small helpers
    def error(self, fld: str, expected: str, found: str | None = None) -> InputError:
        return InputError(self.src, fld, expected, found)

    def floats(self, elem: ET.Element | None, fld: str, n: int | None = None) -> FloatArray:
        if elem is None or elem.text is None or not elem.text.strip():
            raise self.error(fld, f"{n if n else 'a list of'} numbers", "nothing")
        try:
            vals = np.array([float(t) for t in elem.text.split()], dtype=np.float64)
        except ValueError:
            raise self.error(fld, "numbers", repr(elem.text.strip()[:60])) from None
        if n is not None and vals.size != n:
            raise self.error(fld, f"{n} numbers", f"{vals.size}")
        return vals

    def number(self, elem: ET.Element | None, fld: str) -> float:
        return float(self.floats(elem, fld, 1)[0])

    def opt_floats(self, parent: ET.Element, tag: str, fld: str, default: ArrayLike) -> FloatArray:
        e = parent.find(tag)
        if e is None or e.text is None or not e.text.strip():
            return np.asarray(default, dtype=np.float64)
        return self.floats(e, fld, np.size(default))

    @staticmethod
    def flag(parent: ET.Element, tag: str, default: bool) -> bool:
        e = parent.find(tag)
        if e is None or e.text is None or not e.text.strip():
            return default
        return e.text.strip().lower() in ("true", "1")

    @staticmethod
    def names(parent: ET.Element, tag: str) -> tuple[str, ...]:
        e = parent.find(tag)
        if e is None or e.text is None:
            return ()
        return tuple(e.text.split())

    @staticmethod
    def text(parent: ET.Element, tag: str) -> str | None:
        e = parent.find(tag)
        if e is None or e.text is None or not e.text.strip():
            return None
        return e.text.strip()

    # ---- functions
    def function_in(self, holder: ET.Element, fld: str) -> OsimFunction | None:
        """The function element directly in ``holder`` or inside a ``<function>`` wrapper."""
        for child in holder:
            if child.tag in _FUNCTION_TAGS or child.tag in _KNOWN_UNSUPPORTED_FUNCTIONS:
                return self.function(child, fld)
        for child in holder:
            if child.tag in ("function", "coupled_coordinates_function"):
                return self.function_in(child, fld)
        return None

    def function(self, e: ET.Element, fld: str) -> OsimFunction:
        tag = e.tag
        fld = f"{fld}/{tag}"
        if tag == "Constant":
            return Constant(self.number(e.find("value"), f"{fld}/value"))
        if tag == "LinearFunction":
            coef = self.floats(e.find("coefficients"), f"{fld}/coefficients", 2)
            return LinearFunction(float(coef[0]), float(coef[1]))
        if tag == "PolynomialFunction":
            return PolynomialFunction(_readonly(self.floats(e.find("coefficients"), fld)))
        if tag in ("SimmSpline", "NaturalCubicSpline", "PiecewiseLinearFunction", "GCVSpline"):
            x = self.floats(e.find("x"), f"{fld}/x")
            ye = e.find("y")
            if ye is None and tag == "GCVSpline":
                raise self.error(f"{fld}/y", "the data points <y> of the GCVSpline", "none")
            y = self.floats(ye, f"{fld}/y", x.size)
            if x.size < 2 or np.any(np.diff(x) <= 0):
                raise self.error(f"{fld}/x", "at least 2 strictly increasing values")
            if tag == "PiecewiseLinearFunction":
                return PiecewiseLinearFunction(_readonly(x), _readonly(y))
            if tag == "GCVSpline":
                m = int(self.number(e.find("half_order"), f"{fld}/half_order"))
                if m < 1 or x.size < 2 * m:
                    raise self.error(f"{fld}/half_order", f"1 <= m <= {x.size // 2}", str(m))
                return GCVSpline(_readonly(x), _readonly(y), m)
            return CubicSpline.from_points(x, y, kind=tag)
        if tag == "MultiplierFunction":
            inner = self.function_in(e, fld)
            if inner is None:
                raise self.error(f"{fld}/function", "an inner function")
            scale_e = e.find("scale")
            scale = 1.0 if scale_e is None else self.number(scale_e, f"{fld}/scale")
            return MultiplierFunction(scale, inner)
        raise self.error(fld, "a supported function (" + ", ".join(sorted(_FUNCTION_TAGS)) + ")")

    # ---- bodies
    def body(self, e: ET.Element) -> Body:
        name = e.get("name", "")
        fld = f"body '{name}'"
        mass_e = e.find("mass")
        if mass_e is None:
            raise self.error(f"{fld}/mass", "the body mass in kg", "no <mass>")
        mass = self.number(mass_e, f"{fld}/mass")
        com = self.opt_floats(e, "mass_center", f"{fld}/mass_center", np.zeros(3))
        i6 = e.find("inertia")
        if i6 is not None and i6.text is not None and i6.text.strip():
            v = self.floats(i6, f"{fld}/inertia", 6)
        else:
            v = np.array(
                [
                    self.number(e.find(t), f"{fld}/{t}") if e.find(t) is not None else 0.0
                    for t in (
                        "inertia_xx",
                        "inertia_yy",
                        "inertia_zz",
                        "inertia_xy",
                        "inertia_xz",
                        "inertia_yz",
                    )
                ]
            )
        xx, yy, zz, xy, xz, yz = v
        inertia = np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
        return Body(name, mass, _readonly(com), _readonly(inertia))

    # ---- coordinates
    def coordinate(self, e: ET.Element, joint: str, motion_type: str) -> Coordinate:
        name = e.get("name", "")
        fld = f"coordinate '{name}'"
        mt = self.text(e, "motion_type") or motion_type
        rng = self.opt_floats(e, "range", f"{fld}/range", np.array([-np.inf, np.inf]))
        return Coordinate(
            name=name,
            joint=joint,
            motion_type=mt.lower(),
            default_value=float(
                self.opt_floats(e, "default_value", f"{fld}/default_value", [0.0])[0]
            ),
            range=(float(rng[0]), float(rng[1])),
            clamped=self.flag(e, "clamped", False),
            locked=self.flag(e, "locked", False),
        )

    def spatial_transform(self, e: ET.Element, jname: str) -> tuple[TransformAxis, ...]:
        st = e.find("SpatialTransform")
        if st is None:
            raise self.error(f"joint '{jname}'/SpatialTransform", "a SpatialTransform", "none")
        axes_by_name = {a.get("name", ""): a for a in st.iter("TransformAxis")}
        out = []
        for aname in (
            "rotation1",
            "rotation2",
            "rotation3",
            "translation1",
            "translation2",
            "translation3",
        ):
            fld = f"joint '{jname}'/{aname}"
            a = axes_by_name.get(aname)
            if a is None:
                raise self.error(fld, "a TransformAxis named " + aname, "none")
            coords = self.names(a, "coordinates")
            if len(coords) > 1:
                raise self.error(f"{fld}/coordinates", "at most one coordinate", " ".join(coords))
            axis = self.floats(a.find("axis"), f"{fld}/axis", 3)
            func = self.function_in(a, fld)
            if func is None:  # OpenSim's defaults (SpatialTransform::connectToJoint)
                func = LinearFunction(1.0, 0.0) if coords else Constant(0.0)
            out.append(TransformAxis(aname, _readonly(axis), coords, func))
        return tuple(out)

    @staticmethod
    def motion_types(
        jtype: str, coord_names: tuple[str, ...], st: tuple[TransformAxis, ...]
    ) -> tuple[str, ...]:
        if jtype == "CustomJoint":
            rot = {c for ax in st[:3] for c in ax.coordinates}
            return tuple("rotational" if c in rot else "translational" for c in coord_names)
        types = _JOINT_COORD_TYPES.get(jtype, ())
        return tuple(types[i] if i < len(types) else "rotational" for i in range(len(coord_names)))

    # ---- v4 frames
    def collect_components(self, model: ET.Element) -> dict[str, ET.Element]:
        """Absolute component path -> element, for bodies, ground and offset frames."""
        out: dict[str, ET.Element] = {}

        def walk(e: ET.Element, path: str) -> None:
            for child in e:
                name = child.get("name")
                if child.tag == "BodySet" and name is None:
                    name = "bodyset"
                elif child.tag == "JointSet" and name is None:
                    name = "jointset"
                elif child.tag == "Ground" and name is None:
                    name = GROUND
                cpath = f"{path}/{name}" if name is not None else path
                if child.tag in ("Body", "Ground", "PhysicalOffsetFrame"):
                    out[cpath] = child
                walk(child, cpath)

        walk(model, "")
        return out

    def resolve_frame(
        self,
        ref: str,
        owner: str,
        comps: dict[str, ET.Element],
        fld: str,
        depth: int = 0,
    ) -> OffsetFrame:
        """The frame at socket path ``ref`` (relative to component ``owner``) on its body."""
        if depth > 20:
            raise self.error(fld, "a non-circular chain of offset frames", ref)
        if ref.startswith("/"):
            parts: list[str] = []
        else:
            parts = [p for p in owner.split("/") if p]
        for p in ref.split("/"):
            if p in ("", "."):
                continue
            if p == "..":
                if parts:
                    parts.pop()
            else:
                parts.append(p)
        path = "/" + "/".join(parts)
        elem = comps.get(path)
        if elem is None:  # fall back on a unique name match
            last = ref.rstrip("/").split("/")[-1]
            matches = [k for k in comps if k.rsplit("/", 1)[-1] == last]
            if ref.strip("/") == GROUND:
                matches = [k for k in comps if comps[k].tag == "Ground"]
            if len(matches) != 1:
                raise self.error(fld, "a frame path of the model", ref)
            path = matches[0]
            elem = comps[path]
        zero = np.zeros(3)
        if elem.tag == "Ground":
            return OffsetFrame(GROUND, _readonly(zero), _readonly(zero))
        if elem.tag == "Body":
            return OffsetFrame(elem.get("name", ""), _readonly(zero), _readonly(zero))
        name = elem.get("name", "")
        t = self.opt_floats(elem, "translation", f"frame '{name}'/translation", zero)
        o = self.opt_floats(elem, "orientation", f"frame '{name}'/orientation", zero)
        parent_ref = self.text(elem, "socket_parent")
        if parent_ref is None:
            raise self.error(f"frame '{name}'/socket_parent", "the path of the parent frame")
        base = self.resolve_frame(parent_ref, path, comps, fld, depth + 1)
        if not np.any(base.translation) and not np.any(base.orientation):
            return OffsetFrame(base.body, _readonly(t), _readonly(o))
        r_base = base.rotation
        return OffsetFrame(
            base.body,
            _readonly(base.translation + r_base @ t),
            _readonly(_body_fixed_xyz_angles(r_base @ rotation_body_fixed_xyz(o))),
        )

    def v4_joint(
        self, e: ET.Element, comps: dict[str, ET.Element]
    ) -> tuple[Joint, list[Coordinate]]:
        jname = e.get("name", "")
        fld = f"joint '{jname}'"
        owner = f"/jointset/{jname}"
        pref = self.text(e, "socket_parent_frame") or self.text(e, "parent_body")
        cref = self.text(e, "socket_child_frame") or self.text(e, "child_body")
        if pref is None or cref is None:
            raise self.error(fld, "socket_parent_frame and socket_child_frame", "missing")
        pframe = self.resolve_frame(pref, owner, comps, f"{fld}/socket_parent_frame")
        cframe = self.resolve_frame(cref, owner, comps, f"{fld}/socket_child_frame")
        coord_elems = []
        ce = e.find("coordinates")
        if ce is not None:
            coord_elems = list(ce.iter("Coordinate"))
        return self.finish_joint(e, jname, pframe, cframe, coord_elems, reverse=False)

    def v3_joint(self, e: ET.Element, child: str) -> tuple[Joint, list[Coordinate]]:
        jname = e.get("name", "")
        fld = f"joint '{jname}'"
        parent = self.text(e, "parent_body")
        if parent is None:
            raise self.error(f"{fld}/parent_body", "the name of the parent body", "none")
        zero = np.zeros(3)
        pframe = OffsetFrame(
            parent,
            _readonly(self.opt_floats(e, "location_in_parent", f"{fld}/location_in_parent", zero)),
            _readonly(
                self.opt_floats(e, "orientation_in_parent", f"{fld}/orientation_in_parent", zero)
            ),
        )
        cframe = OffsetFrame(
            child,
            _readonly(self.opt_floats(e, "location", f"{fld}/location", zero)),
            _readonly(self.opt_floats(e, "orientation", f"{fld}/orientation", zero)),
        )
        cs = e.find("CoordinateSet")
        coord_elems = [] if cs is None else list(cs.iter("Coordinate"))
        return self.finish_joint(
            e, jname, pframe, cframe, coord_elems, reverse=self.flag(e, "reverse", False)
        )

    def finish_joint(
        self,
        e: ET.Element,
        jname: str,
        pframe: OffsetFrame,
        cframe: OffsetFrame,
        coord_elems: list[ET.Element],
        reverse: bool,
    ) -> tuple[Joint, list[Coordinate]]:
        jtype = e.tag
        st = self.spatial_transform(e, jname) if jtype == "CustomJoint" else ()
        cnames = tuple(c.get("name", "") for c in coord_elems)
        mtypes = self.motion_types(jtype, cnames, st)
        coords = [self.coordinate(c, jname, mt) for c, mt in zip(coord_elems, mtypes, strict=True)]
        joint = Joint(
            name=jname,
            type=jtype,
            parent_body=pframe.body,
            child_body=cframe.body,
            parent_frame=pframe,
            child_frame=cframe,
            coordinates=cnames,
            spatial_transform=st,
            reverse=reverse,
        )
        return joint, coords

    # ---- whole model
    def parse(self) -> OsimModel:
        if not self.path.is_file():
            raise self.error("file", "an existing .osim file", "no such file")
        try:
            root = ET.parse(self.path).getroot()
        except ET.ParseError as err:
            raise self.error("XML", "a well-formed OpenSim .osim XML document", str(err)) from None
        model = root if root.tag == "Model" else root.find("Model")
        if model is None:
            raise self.error("Model", "an <OpenSimDocument> holding a <Model>", f"<{root.tag}>")
        try:
            version = int(root.get("Version", "0"))
        except ValueError:
            version = 0
        body_set = next(model.iter("BodySet"), None)
        body_elems = [] if body_set is None else list(body_set.iter("Body"))
        bodies: dict[str, Body] = {}
        for be in body_elems:
            name = be.get("name", "")
            if name == GROUND:
                continue
            if not name:
                raise self.error("BodySet/Body", "a name attribute", "none")
            bodies[name] = self.body(be)
        if not bodies:
            raise self.error("BodySet", "at least one <Body>", "none")

        joints: dict[str, Joint] = {}
        coordinates: dict[str, Coordinate] = {}

        def add(j: Joint, cs: list[Coordinate]) -> None:
            if j.name in joints:
                raise self.error(f"joint '{j.name}'", "a unique joint name", "a duplicate")
            joints[j.name] = j
            for c in cs:
                coordinates[c.name] = c

        joint_set = model.find("JointSet")
        if joint_set is not None:
            comps = self.collect_components(model)
            for je in joint_set.iter():
                if je.tag.endswith("Joint") and je.get("name") is not None and je is not joint_set:
                    add(*self.v4_joint(je, comps))
        for be in body_elems:  # OpenSim 3: the joint lives in its child body
            holder = be.find("Joint")
            if holder is None:
                continue
            for je in holder:
                if je.tag.endswith("Joint"):
                    add(*self.v3_joint(je, be.get("name", "")))

        child_joint: dict[str, str] = {}
        for j in joints.values():
            for b in (j.parent_body, j.child_body):
                if b != GROUND and b not in bodies:
                    raise self.error(f"joint '{j.name}'", "bodies of the BodySet", repr(b))
            if j.child_body in child_joint:
                raise self.error(
                    f"joint '{j.name}'",
                    "one joint per child body (closed loops are not supported)",
                    f"'{j.child_body}' is also the child of '{child_joint[j.child_body]}'",
                )
            child_joint[j.child_body] = j.name

        constraints: dict[str, CoordinateCouplerConstraint] = {}
        for ce in model.iter("CoordinateCouplerConstraint"):
            cname = ce.get("name", "")
            fld = f"constraint '{cname}'"
            func = self.function_in(ce, fld)
            if func is None:
                raise self.error(f"{fld}/coupled_coordinates_function", "a function", "none")
            indep = self.names(ce, "independent_coordinate_names")
            dep = self.text(ce, "dependent_coordinate_name")
            if dep is None or not indep:
                raise self.error(fld, "independent and dependent coordinate names", "missing")
            for c in (*indep, dep):
                if c not in coordinates:
                    raise self.error(fld, "coordinates of the model", repr(c))
            enforced = self.flag(ce, "isEnforced", True) and not self.flag(ce, "isDisabled", False)
            sf_e = ce.find("scale_factor")
            sf = 1.0 if sf_e is None else self.number(sf_e, f"{fld}/scale_factor")
            constraints[cname] = CoordinateCouplerConstraint(cname, indep, dep, func, sf, enforced)

        markers: dict[str, Marker] = {}
        marker_set = model.find("MarkerSet")
        if marker_set is not None:
            comps_m = self.collect_components(model)
            for me in marker_set.iter("Marker"):
                mname = me.get("name", "")
                fld = f"marker '{mname}'"
                loc = self.opt_floats(me, "location", f"{fld}/location", np.zeros(3))
                pref = self.text(me, "socket_parent_frame")
                if pref is not None:
                    fr = self.resolve_frame(pref, f"/markerset/{mname}", comps_m, fld)
                    loc = fr.translation + fr.rotation @ loc
                    body = fr.body
                else:
                    body = self.text(me, "body") or ""
                if body != GROUND and body not in bodies:
                    raise self.error(f"{fld}/body", "a body of the model", repr(body))
                markers[mname] = Marker(mname, body, _readonly(loc))

        gravity = self.opt_floats(model, "gravity", "gravity", np.array([0.0, -9.80665, 0.0]))
        return OsimModel(
            source=self.src,
            name=model.get("name", self.path.stem),
            version=version,
            gravity=_readonly(gravity),
            bodies=bodies,
            joints=joints,
            coordinates=coordinates,
            constraints=constraints,
            markers=markers,
            child_joint=child_joint,
        )


def read_osim(path: str | Path) -> OsimModel:
    """Read an OpenSim ``.osim`` model (OpenSim 3 or 4 format).

    Parameters
    ----------
    path : the .osim file

    Returns
    -------
    OsimModel with bodies (mass [kg], centre of mass [m], inertia about the CoM [kg·m²]),
    joints (parent/child offset frames, SpatialTransform), coordinates, coordinate-coupler
    constraints and markers.

    Raises
    ------
    InputError
        When the file is missing, is not XML, or lacks what a model needs (bodies, masses,
        joint frames, function data); the message names the file and the field.
    """
    return _Parser(Path(path)).parse()
