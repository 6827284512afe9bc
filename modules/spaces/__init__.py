"""Buildings and spaces (楼宇空间): campus → building → floor → room/area. Always on."""
