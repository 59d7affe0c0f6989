from boardroom.cli.main import app

app(prog_name="boardroom")
