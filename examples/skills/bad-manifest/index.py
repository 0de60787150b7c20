def execute():
    return "this never runs: the manifest is refused first"
