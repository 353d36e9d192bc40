"""The float CIFAR-10 AlexNet (PyTorch), its trained weights and golden outputs."""
