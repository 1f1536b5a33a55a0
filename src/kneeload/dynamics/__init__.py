"""Inverse dynamics: segment kinematics + ground reaction -> joint forces and moments."""
