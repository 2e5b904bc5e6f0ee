from curtool.app.cli import main

main()
