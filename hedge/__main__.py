from hedge.cli import main

main()
