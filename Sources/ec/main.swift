print("ec")
