import Registry
print("x")
