"""The subcommands of ``%hydroml``, one module per subcommand or small family.

Each module defines ``COMMANDS``, a tuple of
:class:`~hydroml_jupyter.magics.registry.Command`, and is named in
:data:`hydroml_jupyter.magics.registry.MODULES`.
"""
