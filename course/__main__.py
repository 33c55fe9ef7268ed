"""``python -m course``: a short end-to-end run of the library.

Trains a 64-128-10 ReLU MLP with Adam on the digits data (scikit-learn's bundled 8x8 digits,
standing in for MNIST), with a progress bar, then prints the test accuracy.
"""

from __future__ import annotations

import argparse
import sys

from course.activations import ReLU
from course.data import digits
from course.layers import Dense
from course.losses import SoftmaxCrossEntropy
from course.network import Sequential
from course.optim import Adam
from course.regularization import EarlyStopping
from course.train import evaluate, fit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course",
        description="Train a digits MLP with the course library and print its test accuracy.",
    )
    parser.add_argument("--epochs", type=int, default=20, help="passes over the training set")
    parser.add_argument("--hidden", type=int, default=128, help="units in the hidden layer")
    parser.add_argument("--lr", type=float, default=0.005, help="Adam's learning rate")
    parser.add_argument("--batch-size", type=int, default=32, help="samples per iteration")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and shuffling")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)

    data = digits()
    model = Sequential(
        Dense(64, args.hidden, init="he_normal", rng=args.seed),
        ReLU(),
        Dense(args.hidden, 10, init="xavier_uniform", rng=args.seed + 1),
    )
    loss = SoftmaxCrossEntropy()
    optimizer = Adam(model.parameters(), lr=args.lr)
    print(model)
    print(
        f"digits: {len(data.X_train)} training, {len(data.X_val)} validation and "
        f"{len(data.X_test)} test images of 8x8 pixels, 10 classes"
    )
    history = fit(
        model, loss, optimizer, data.X_train, data.y_train,
        epochs=args.epochs, batch_size=args.batch_size,
        X_val=data.X_val, y_val=data.y_val,
        callbacks=[EarlyStopping(patience=5)],
        progress=not args.no_progress, rng=args.seed,
    )
    test_loss, test_acc = evaluate(model, loss, data.X_test, data.y_test)
    print(
        f"trained {history.epochs} epochs ({history.iterations} iterations): "
        f"train accuracy {history.train_acc[-1]:.1%}, "
        f"validation accuracy {history.val_acc[-1]:.1%}"
    )
    print(f"test loss {test_loss:.4f}, test accuracy {test_acc:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
