def execute(name="world"):
    return {"greeting": f"Hello, {name}!"}
