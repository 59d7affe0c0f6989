from boardroom.cli import app

app(prog_name="boardroom")
