"""nn-course: the NumPy library of the neural-networks course."""
