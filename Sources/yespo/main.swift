print("yespo")
