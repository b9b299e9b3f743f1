from hotich.registers.views.pages import register_my_work

__all__ = ["register_my_work"]
