"""nn-course: the NumPy library of the neural-networks course.

One module per topic of the lecture slides; import what you need from it, for example::

    from course.layers import Dense
    from course.activations import ReLU
    from course.network import Sequential

Modules: parameter, neuron, activations, layers, network, losses, optim, clip, regularization,
init, autograd, gradcheck, data, train, surfaces, plots. ``python -m course`` trains a digits MLP.
"""

__version__ = "0.1.0"
