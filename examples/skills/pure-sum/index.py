def execute(numbers):
    return {"sum": sum(numbers), "count": len(numbers)}
